/// A leaf (primitive) column of a schema, with its position in the tree.
public struct ColumnDescriptor: Sendable, Hashable {
    /// Names from the top-level field down to the leaf, as in `path_in_schema`.
    public var path: [String]
    public var physicalType: PhysicalType
    public var logicalType: LogicalType?
    public var convertedType: ConvertedType?
    public var typeLength: Int32?
    public var maxDefinitionLevel: Int
    public var maxRepetitionLevel: Int
    /// Index of the top-level field this leaf belongs to.
    public var topLevelFieldIndex: Int

    /// The dotted path, e.g. `add.partitionValues.key_value.key`.
    public var dottedPath: String { path.joined(separator: ".") }
}
