/// One feature value of an inference: a number or a category.
///
/// `Double.nan` is a *missing value* (in a numeric or a categorical feature), never an error.
/// Literals work directly: `let row: [FeatureValue] = [5.1, 3, "eu"]`.
public enum FeatureValue: Sendable, Equatable, Hashable,
    ExpressibleByFloatLiteral, ExpressibleByIntegerLiteral, ExpressibleByStringLiteral, CustomStringConvertible
{
    /// A numeric value; NaN means missing.
    case number(Double)
    /// A categorical value.
    case string(String)

    /// The missing value.
    public static let missing = FeatureValue.number(.nan)

    /// Whether this is the missing value (NaN).
    @inlinable
    public var isMissing: Bool {
        if case .number(let value) = self { return value.isNaN }
        return false
    }

    public init(floatLiteral value: Double) { self = .number(value) }
    public init(integerLiteral value: Int) { self = .number(Double(value)) }
    public init(stringLiteral value: String) { self = .string(value) }

    /// Equality that treats two NaNs as equal (both missing), and compares doubles bit for bit otherwise.
    public static func == (lhs: FeatureValue, rhs: FeatureValue) -> Bool {
        switch (lhs, rhs) {
        case (.number(let a), .number(let b)): return a.bitPattern == b.bitPattern || (a.isNaN && b.isNaN)
        case (.string(let a), .string(let b)): return a == b
        default: return false
        }
    }

    public func hash(into hasher: inout Hasher) {
        switch self {
        case .number(let value):
            hasher.combine(0)
            hasher.combine(value.isNaN ? Double.nan.bitPattern : value.bitPattern)
        case .string(let value):
            hasher.combine(1)
            hasher.combine(value)
        }
    }

    public var description: String {
        switch self {
        case .number(let value): return value.isNaN ? "NaN" : "\(value)"
        case .string(let value): return "\"\(value)\""
        }
    }
}
