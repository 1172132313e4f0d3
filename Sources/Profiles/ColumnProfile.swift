/// The profile of one column in one window: numeric or categorical, mergeable with another profile
/// of the same column, convertible to and from a `profiles` row (`ProfileRow`).
public struct ColumnProfile: Sendable {
    /// The `column_kind` of the `profiles` table.
    public enum Kind: String, Sendable, Codable {
        case numeric
        case categorical
    }

    /// The statistics of either kind.
    public enum Statistics: Sendable {
        case numeric(NumericProfile)
        case categorical(CategoryCounts)
    }

    /// Feature name or reserved name (`:pred1`, `:confusion`, …).
    public let columnName: String
    // Exactly one of the two is set. Two optionals rather than an enum so that adding a value
    // mutates the statistics in place instead of copying them out of an enum payload and back.
    private var numericStorage: NumericProfile?
    private var categoricalStorage: CategoryCounts?

    public init(columnName: String, statistics: Statistics) {
        self.columnName = columnName
        switch statistics {
        case let .numeric(profile): numericStorage = profile
        case let .categorical(counts): categoricalStorage = counts
        }
    }

    /// The statistics of this column.
    public var statistics: Statistics {
        if let numericStorage { .numeric(numericStorage) } else { .categorical(categoricalStorage ?? CategoryCounts()) }
    }

    /// An empty numeric profile, counting into `bins` when given.
    public static func numeric(_ columnName: String, bins: ReferenceBins? = nil) -> ColumnProfile {
        ColumnProfile(columnName: columnName, statistics: .numeric(NumericProfile(bins: bins)))
    }

    /// An empty categorical profile.
    public static func categorical(_ columnName: String) -> ColumnProfile {
        ColumnProfile(columnName: columnName, statistics: .categorical(CategoryCounts()))
    }

    public var kind: Kind { numericStorage == nil ? .categorical : .numeric }

    /// The numeric statistics, or `nil` for a categorical column.
    public var numeric: NumericProfile? { numericStorage }

    /// The categorical counts, or `nil` for a numeric column.
    public var categorical: CategoryCounts? { categoricalStorage }

    /// Non-missing values.
    public var count: Int64 { numericStorage?.moments.count ?? categoricalStorage?.count ?? 0 }

    /// Missing values (NaN, ±∞ or absent; nil categories).
    public var missingCount: Int64 { numericStorage?.moments.missingCount ?? categoricalStorage?.missingCount ?? 0 }

    /// Adds a numeric value; throws `differentKinds` on a categorical column.
    public mutating func add(_ value: Double) throws(ProfileError) {
        guard numericStorage != nil else { throw .differentKinds(column: columnName, "categorical", "numeric value") }
        numericStorage!.add(value)
    }

    /// Adds a category (`nil` = missing); throws `differentKinds` on a numeric column.
    public mutating func add(category: String?) throws(ProfileError) {
        guard categoricalStorage != nil else { throw .differentKinds(column: columnName, "numeric", "categorical value") }
        categoricalStorage!.add(category)
    }

    /// Records `n` records without a value for this column.
    public mutating func addMissing(_ n: Int64 = 1) {
        numericStorage?.addMissing(n)
        categoricalStorage?.missingCount += n
    }

    /// Adds another profile of the same column and kind; typed errors for a different column,
    /// kind or reference bins.
    public mutating func merge(_ other: ColumnProfile) throws(ProfileError) {
        guard columnName == other.columnName else { throw .differentColumns(columnName, other.columnName) }
        if numericStorage != nil, let theirs = other.numericStorage {
            try numericStorage!.merge(theirs)
        } else if categoricalStorage != nil, let theirs = other.categoricalStorage {
            categoricalStorage!.merge(theirs)
        } else {
            throw .differentKinds(column: columnName, kind.rawValue, other.kind.rawValue)
        }
    }

    /// The merge of two profiles.
    public func merging(_ other: ColumnProfile) throws(ProfileError) -> ColumnProfile {
        var copy = self
        try copy.merge(other)
        return copy
    }
}
