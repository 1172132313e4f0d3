import Profiles

/// The bins of a model's reference: its id (the `reference_id` of the rows) and, per numeric column, its bins.
public struct ReferenceSnapshot: Sendable, Equatable {
    public var id: String
    public var bins: [String: ReferenceBins]

    public init(id: String, bins: [String: ReferenceBins]) {
        self.id = id
        self.bins = bins
    }
}

/// Where the tail stage finds references (`<store>/references/<endpoint>/<model_version>.json` by default).
public protocol ReferenceLookup: Sendable {
    /// The current reference of a model, or nil when it has none.
    func reference(endpoint: String, modelVersion: String) throws -> ReferenceSnapshot?
}
