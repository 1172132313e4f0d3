/// One leaf column's data for a row group: Dremel definition and repetition levels plus the
/// non-null values.
///
/// For a leaf with maximum definition level 0 (required, not nested in anything optional or
/// repeated) `definitionLevels` is empty and there is one value per row; likewise
/// `repetitionLevels` is empty when the leaf is not inside a list or map.
public struct LeafColumn: Sendable, Hashable {
    /// The non-null values, in order.
    public var values: ColumnValues
    /// One entry per value slot (values, nulls, empty lists); empty when the maximum definition level is 0.
    public var definitionLevels: [UInt8]
    /// One entry per value slot, 0 where a row starts; empty when the leaf is not repeated.
    public var repetitionLevels: [UInt8]

    public init(values: ColumnValues, definitionLevels: [UInt8] = [], repetitionLevels: [UInt8] = []) {
        self.values = values
        self.definitionLevels = definitionLevels
        self.repetitionLevels = repetitionLevels
    }

    /// The number of level entries (values including nulls and empty lists).
    func levelCount(_ descriptor: ColumnDescriptor) -> Int {
        if descriptor.maxDefinitionLevel > 0 { return definitionLevels.count }
        if descriptor.maxRepetitionLevel > 0 { return repetitionLevels.count }
        return values.count
    }
}
