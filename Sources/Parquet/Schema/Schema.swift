/// The schema of a Parquet file: its top-level fields.
public struct Schema: Sendable, Hashable {
    /// The top-level fields, in file order.
    public var fields: [Field]

    public init(_ fields: [Field]) { self.fields = fields }

    /// The top-level field named `name`.
    public func field(named name: String) -> Field? { fields.first { $0.name == name } }
}
