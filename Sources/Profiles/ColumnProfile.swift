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
    public private(set) var statistics: Statistics

    public init(columnName: String, statistics: Statistics) {
        self.columnName = columnName
        self.statistics = statistics
    }

    /// An empty numeric profile, counting into `bins` when given.
    public static func numeric(_ columnName: String, bins: ReferenceBins? = nil) -> ColumnProfile {
        ColumnProfile(columnName: columnName, statistics: .numeric(NumericProfile(bins: bins)))
    }

    /// An empty categorical profile.
    public static func categorical(_ columnName: String) -> ColumnProfile {
        ColumnProfile(columnName: columnName, statistics: .categorical(CategoryCounts()))
    }

    public var kind: Kind {
        switch statistics {
        case .numeric: .numeric
        case .categorical: .categorical
        }
    }

    /// The numeric statistics, or `nil` for a categorical column.
    public var numeric: NumericProfile? {
        if case let .numeric(profile) = statistics { profile } else { nil }
    }

    /// The categorical counts, or `nil` for a numeric column.
    public var categorical: CategoryCounts? {
        if case let .categorical(counts) = statistics { counts } else { nil }
    }

    /// Non-missing values.
    public var count: Int64 {
        switch statistics {
        case let .numeric(profile): profile.moments.count
        case let .categorical(counts): counts.count
        }
    }

    /// Missing values (NaN, ±∞ or absent; nil categories).
    public var missingCount: Int64 {
        switch statistics {
        case let .numeric(profile): profile.moments.missingCount
        case let .categorical(counts): counts.missingCount
        }
    }

    /// Adds a numeric value; throws `differentKinds` on a categorical column.
    public mutating func add(_ value: Double) throws(ProfileError) {
        guard case var .numeric(profile) = statistics else {
            throw .differentKinds(column: columnName, "categorical", "numeric value")
        }
        statistics = .categorical(CategoryCounts())   // release the payload so the update is in place
        profile.add(value)
        statistics = .numeric(profile)
    }

    /// Adds a category (`nil` = missing); throws `differentKinds` on a numeric column.
    public mutating func add(category: String?) throws(ProfileError) {
        guard case var .categorical(counts) = statistics else {
            throw .differentKinds(column: columnName, "numeric", "categorical value")
        }
        statistics = .categorical(CategoryCounts())
        counts.add(category)
        statistics = .categorical(counts)
    }

    /// Records `n` records without a value for this column.
    public mutating func addMissing(_ n: Int64 = 1) {
        switch statistics {
        case var .numeric(profile):
            profile.addMissing(n)
            statistics = .numeric(profile)
        case var .categorical(counts):
            counts.missingCount += n
            statistics = .categorical(counts)
        }
    }

    /// Adds another profile of the same column and kind; typed errors for a different column,
    /// kind or reference bins.
    public mutating func merge(_ other: ColumnProfile) throws(ProfileError) {
        guard columnName == other.columnName else { throw .differentColumns(columnName, other.columnName) }
        switch (statistics, other.statistics) {
        case (.numeric(var mine), .numeric(let theirs)):
            try mine.merge(theirs)
            statistics = .numeric(mine)
        case (.categorical(var mine), .categorical(let theirs)):
            mine.merge(theirs)
            statistics = .categorical(mine)
        default:
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
