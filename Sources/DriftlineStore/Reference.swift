import DriftlineCore
import DeltaTable
import Profiles

/// The reference profile of one model version, computed from its training set by `driftline profile`
/// and stored as `<store>/references/<endpoint>/<model_version>.json` (format: REFERENCE.md).
///
/// `referenceID` is a fingerprint of the content (every field but `created_at`): it is what the
/// `profiles` table's `reference_id` stores next to histograms counted over this reference's bins.
///
/// ```swift
/// let reference = Reference(endpoint: "iris", modelVersion: "3", binCount: 20,
///                           task: .classification(classes: ["setosa", "versicolor", "virginica"]),
///                           columns: [try .numeric(name: "sepal_length", values: xs), .categorical(name: "region", values: rs)])
/// let path = try reference.save(in: store)
/// let bins = reference.bins(column: "sepal_length")      // ReferenceBins with referenceID = reference.referenceID
/// ```
public struct Reference: Sendable, Equatable {
    /// The newest `format_version` this library writes and reads (REFERENCE.md): 1, or 2 when a column carries
    /// a calibration map.
    public static let formatVersion = 2

    public let endpoint: String
    public let modelVersion: String
    /// When the reference was computed.
    public let createdAt: Timestamp
    /// The requested number of bins B of numeric columns (a column may have fewer after dropping repeated edges).
    public let binCount: Int
    /// The model's task, when known.
    public let task: ReferenceTask?
    public let columns: [ReferenceColumn]
    /// Fingerprint of the content: 16 lowercase hex digits of 64-bit FNV-1a over the canonical JSON.
    public let referenceID: String

    public init(endpoint: String, modelVersion: String, createdAt: Timestamp = .now(), binCount: Int,
                task: ReferenceTask? = nil, columns: [ReferenceColumn]) {
        self.endpoint = endpoint
        self.modelVersion = modelVersion
        self.createdAt = createdAt
        self.binCount = binCount
        self.task = task
        self.columns = columns
        self.referenceID = FNV1a64.hex(Self.canonical(endpoint: endpoint, modelVersion: modelVersion, createdAt: nil,
                                                      binCount: binCount, task: task, columns: columns, referenceID: nil).bytes(.referenceCompact))
    }

    /// The column named `name`.
    public func column(named name: String) -> ReferenceColumn? { columns.first { $0.name == name } }

    /// The `format_version` of this reference's file: 2 when a column has a calibration map, else 1 (a reference
    /// profiled without labels stays a document that earlier readers read).
    public var fileFormatVersion: Int { Self.fileFormatVersion(columns: columns) }

    static func fileFormatVersion(columns: [ReferenceColumn]) -> Int {
        columns.contains { $0.calibration != nil } ? 2 : 1
    }

    /// The bins of a numeric column, labelled with this reference's id; nil for categorical columns,
    /// unknown names, or invalid edges.
    public func bins(column name: String) -> ReferenceBins? {
        guard let column = column(named: name), column.kind == .numeric, let edges = column.edges else { return nil }
        let range = column.min.flatMap { low in column.max.flatMap { high in low <= high ? low...high : nil } }
        return (try? ReferenceBins(referenceID: referenceID, edges: edges))?.withTrainingRange(range)
    }

    /// The bins of every numeric column that has edges, by column name.
    public var allBins: [String: ReferenceBins] {
        var out: [String: ReferenceBins] = [:]
        for column in columns { if let bins = bins(column: column.name) { out[column.name] = bins } }
        return out
    }
}

/// What the model predicts, as far as the reference knows it.
public struct ReferenceTask: Sendable, Equatable {
    public enum Kind: String, Sendable {
        case classification
        case regression
    }

    public var kind: Kind
    /// Class names (classification), in the model's order; `[negative, positive]` for a binary model.
    public var classes: [String]?
    /// The decision threshold on the positive class of a binary model.
    public var threshold: Double?

    public init(kind: Kind, classes: [String]? = nil, threshold: Double? = nil) {
        self.kind = kind
        self.classes = classes
        self.threshold = threshold
    }

    public static func classification(classes: [String], threshold: Double? = nil) -> ReferenceTask {
        ReferenceTask(kind: .classification, classes: classes, threshold: threshold)
    }

    public static let regression = ReferenceTask(kind: .regression)
}
