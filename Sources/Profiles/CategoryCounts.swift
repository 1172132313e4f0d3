/// Exact counts of up to ``capacity`` (by default 256) distinct values of a categorical column; further
/// new values are counted under `__other__`. Merging keeps the larger cap of the two, deterministically:
/// the largest counts survive (ties broken by the value, ascending) and the rest moves to `__other__`.
///
/// While a column has at most its capacity of distinct values, counts are exact and merging is
/// order-independent; beyond that, which values get their own count depends on arrival order.
/// Values counted under `__other__` are not all anonymous: up to ``namedOtherCapacity`` (32) of them keep their
/// own count in ``namedOther`` (the largest ones, ties by value ascending, like the cap), so that a report can
/// name the new values of a high-cardinality column. They merge like the main counts: exact while few,
/// deterministic always.
///
/// The columns whose values the schema bounds (`:prediction`, `:label` and `:confusion`, one value per pair
/// of classes; see ``DerivedColumns/categoryCapacity(of:)``) have no cap, so they are always exact.
public struct CategoryCounts: Sendable {
    /// Most values with their own count, by default.
    public static let defaultCapacity = 256
    /// Most values with their own count in this column.
    public private(set) var capacity = Self.defaultCapacity
    /// The category that collects values beyond the cap.
    public static let otherCategory = "__other__"

    /// Counts per value (at most `capacity` entries; never contains `__other__`).
    public private(set) var counts: [String: Int64] = [:]
    /// Values counted under `__other__`.
    public private(set) var otherCount: Int64 = 0
    /// Most values of `__other__` that keep their own count.
    public static let namedOtherCapacity = 32
    /// Some of the values counted under `__other__`, with their counts (at most ``namedOtherCapacity``;
    /// their sum never exceeds ``otherCount``).
    public private(set) var namedOther: [String: Int64] = [:]
    /// Records without a value.
    public var missingCount: Int64 = 0

    public init() {}

    /// Empty counts that keep up to `capacity` values (at least the default, 256).
    public init(capacity: Int) {
        self.capacity = max(Self.defaultCapacity, capacity)
    }

    /// Rebuilds counts from a row's `categories`/`category_counts` (`__other__` included), keeping up to
    /// `capacity` values (give the column's, ``DerivedColumns/categoryCapacity(of:)``).
    public init(categories: [String], counts: [Int64], missingCount: Int64,
                capacity: Int = Self.defaultCapacity, otherCategories: [String]? = nil, otherCounts: [Int64]? = nil) throws(ProfileError) {
        guard categories.count == counts.count else {
            throw .invalidArgument(name: "category_counts", detail: "\(categories.count) categories but \(counts.count) counts")
        }
        guard missingCount >= 0 else { throw .invalidArgument(name: "missing_count", detail: "\(missingCount) < 0") }
        self.missingCount = missingCount
        var pending: [String: Int64] = [:]
        for (category, count) in zip(categories, counts) {
            guard count >= 0 else { throw .invalidArgument(name: "category_counts", detail: "negative count \(count) for '\(category)'") }
            if category == Self.otherCategory { otherCount += count } else { pending[category, default: 0] += count }
        }
        let named = otherCategories ?? []
        guard named.count == (otherCounts ?? []).count else {
            throw .invalidArgument(name: "other_category_counts", detail: "\(named.count) other categories but \(otherCounts?.count ?? 0) counts")
        }
        var namedSum: Int64 = 0
        for (category, count) in zip(named, otherCounts ?? []) {
            guard count > 0, category != Self.otherCategory else {
                throw .invalidArgument(name: "other_category_counts", detail: "count \(count) for '\(category)': named other values need a positive count")
            }
            let (sum, overflow) = namedSum.addingReportingOverflow(count)
            guard !overflow else { throw .invalidArgument(name: "other_category_counts", detail: "the counts overflow") }
            namedSum = sum
            namedOther[category, default: 0] += count
        }
        guard namedSum <= otherCount else {
            throw .invalidArgument(name: "other_category_counts", detail: "named other values count \(namedSum), more than __other__'s \(otherCount)")
        }
        self.counts = pending
        self.capacity = max(Self.defaultCapacity, capacity)
        enforceCapacity()
        trimNamedOther()
    }

    /// Non-missing values counted (including `__other__`).
    public var count: Int64 { counts.values.reduce(0, +) + otherCount }

    /// Counts one value; `nil` is a missing value.
    public mutating func add(_ value: String?, count n: Int64 = 1) {
        guard let value else {
            missingCount += n
            return
        }
        if value == Self.otherCategory {
            otherCount += n
        } else if let index = counts.index(forKey: value) {
            counts.values[index] += n
        } else if counts.count < capacity {
            counts[value] = n
        } else {
            otherCount += n
            if let index = namedOther.index(forKey: value) {
                namedOther.values[index] += n
            } else if namedOther.count < Self.namedOtherCapacity {
                namedOther[value] = n
            }
        }
    }

    /// Adds another part's counts, then keeps the largest values up to the larger capacity of the two.
    public mutating func merge(_ other: CategoryCounts) {
        capacity = max(capacity, other.capacity)
        missingCount += other.missingCount
        otherCount += other.otherCount
        counts.merge(other.counts, uniquingKeysWith: +)
        namedOther.merge(other.namedOther, uniquingKeysWith: +)
        enforceCapacity()
        trimNamedOther()
    }

    private mutating func enforceCapacity() {
        guard counts.count > capacity else { return }
        let ordered = sortedCounts()
        for (value, count) in ordered[capacity...] {
            counts[value] = nil
            otherCount += count
            namedOther[value, default: 0] += count
        }
    }

    /// A value that has its own count again is no longer among the named others; then the largest
    /// ``namedOtherCapacity`` stay (ties by value ascending).
    private mutating func trimNamedOther() {
        for value in namedOther.keys where counts[value] != nil { namedOther[value] = nil }
        guard namedOther.count > Self.namedOtherCapacity else { return }
        for (value, _) in sortedNamedOther()[Self.namedOtherCapacity...] { namedOther[value] = nil }
    }

    /// ``namedOther`` by count descending, ties by value ascending.
    public func sortedNamedOther() -> [(value: String, count: Int64)] {
        namedOther.map { (value: $0.key, count: $0.value) }.sorted {
            $0.count != $1.count ? $0.count > $1.count : $0.value < $1.value
        }
    }

    /// (value, count) by count descending, ties by value ascending; `__other__` not included.
    public func sortedCounts() -> [(value: String, count: Int64)] {
        counts.map { (value: $0.key, count: $0.value) }.sorted {
            $0.count != $1.count ? $0.count > $1.count : $0.value < $1.value
        }
    }

    /// The row's `categories` and `category_counts`: sorted as `sortedCounts`, then `__other__` if non-zero.
    public var rowFields: (categories: [String], counts: [Int64]) {
        var ordered = sortedCounts()
        if otherCount > 0 { ordered.append((value: Self.otherCategory, count: otherCount)) }
        return (ordered.map(\.value), ordered.map(\.count))
    }

    /// The row's `other_categories` and `other_category_counts` (nil when `__other__` names nothing), sorted as ``sortedNamedOther()``.
    public var otherRowFields: (categories: [String], counts: [Int64])? {
        guard !namedOther.isEmpty else { return nil }
        let ordered = sortedNamedOther()
        return (ordered.map(\.value), ordered.map(\.count))
    }

    /// Counts over the reference's categories plus one last `__unseen__` bin for everything else
    /// (`__other__` included), as DESIGN.md's categorical drift bins.
    public func binCounts(referenceCategories: [String]) -> [Int64] {
        var result = referenceCategories.map { counts[$0] ?? 0 }
        let seen = result.reduce(0, +)
        result.append(count - seen)
        return result
    }
}

extension CategoryCounts: Equatable {
    /// Equal counts (the capacity, a limit rather than content, is not compared).
    public static func == (lhs: CategoryCounts, rhs: CategoryCounts) -> Bool {
        lhs.counts == rhs.counts && lhs.otherCount == rhs.otherCount && lhs.missingCount == rhs.missingCount && lhs.namedOther == rhs.namedOther
    }
}
