/// How ``JSONValue`` is written: layout, key order, string escaping and number text. Each file the product
/// writes has one format, so that its bytes stay the same from release to release (fingerprints, golden
/// files and Delta commits depend on them).
public struct JSONFormat: Sendable {
    public enum Layout: Sendable {
        /// No whitespace at all.
        case compact
        /// Two-space indentation, `"key": value`, arrays of scalars on one line (`[1, 2]`), a final newline:
        /// the reference files.
        case indented
        /// As Foundation's `JSONEncoder` with `.prettyPrinted` lays it out: two-space indentation,
        /// `"key" : value`, every item on its own line, an empty container as its brackets around an empty
        /// line, no final newline.
        case foundationPretty
    }

    /// How a double (`.double`) is written; integers (`.int`) are always their decimal digits.
    public enum Doubles: Sendable {
        /// Swift's shortest round-trip text (`1.0`, `0.25`, `1e+16`); non-finite as `null`.
        case shortest
        /// As ``shortest`` but a whole number below 10¹⁵ as its digits and `.0` (so `-0.0` is `0.0`);
        /// non-finite as `null`. The reference files' form.
        case pointZero
        /// As Foundation's `JSONEncoder`: the shortest text without a trailing `.0` (`1`, `0.25`); non-finite as
        /// the strings `"NaN"`, `"Infinity"`, `"-Infinity"`.
        case foundation
    }

    public var layout: Layout
    /// Whether every object's members are written sorted by name rather than in their order.
    public var sortsKeys: Bool
    public var escaping: JSONString.Escaping
    public var doubles: Doubles

    public init(layout: Layout, sortsKeys: Bool = false, escaping: JSONString.Escaping = .minimal, doubles: Doubles = .shortest) {
        self.layout = layout
        self.sortsKeys = sortsKeys
        self.escaping = escaping
        self.doubles = doubles
    }

    /// No whitespace, members in order.
    public static let compact = JSONFormat(layout: .compact)
    /// The Delta log's actions: no whitespace, members sorted by name.
    public static let deltaLog = JSONFormat(layout: .compact, sortsKeys: true)
    /// The reference files: indented, members in order, whole doubles with `.0`.
    public static let reference = JSONFormat(layout: .indented, doubles: .pointZero)
    /// The reference fingerprint's input: the reference form without whitespace.
    public static let referenceCompact = JSONFormat(layout: .compact, doubles: .pointZero)
    /// The reports and Anodot's metrics file: what `JSONEncoder` with `[.prettyPrinted, .sortedKeys]` writes.
    public static let foundationPretty = JSONFormat(layout: .foundationPretty, sortsKeys: true, escaping: .foundation, doubles: .foundation)
    /// Anodot's request bodies: what `JSONEncoder` with `[.sortedKeys]` writes.
    public static let foundationCompact = JSONFormat(layout: .compact, sortsKeys: true, escaping: .foundation, doubles: .foundation)
}
