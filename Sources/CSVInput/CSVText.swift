import DriftlineCore

/// The strict readings of CSV cells: decimal numbers only, and values quoted in messages at most
/// ``excerptLength`` characters long. (A time cell is read by `Timestamp(parsing:)` of DriftlineCore, the
/// product's one time parser.)
public enum CSVText {
    /// How many characters of a value a message quotes.
    public static let excerptLength = 100

    /// `text` quoted for a message: whole when short, else its first ``excerptLength`` characters, `…` and
    /// its length.
    public static func quoted(_ text: String) -> String {
        guard text.count > excerptLength else { return text.debugDescription }
        return String(text.prefix(excerptLength)).debugDescription + "… (\(text.count) characters)"
    }

    /// Why a cell is not a number (`nil` when it is one).
    public enum NumberProblem: Error, Sendable, Equatable {
        /// Not a plain decimal: `0x10`, `1_000`, `nan`, `inf`, `1,5`, ` `…
        case notDecimal
        /// A decimal whose value does not fit a double (`1e400`).
        case outOfRange
    }

    /// A plain decimal number: an optional sign, digits with an optional `.` and fraction (or `.5`), and an
    /// optional exponent (`e-3`). Hexadecimal, `nan`, `inf`, digit separators and other spellings that
    /// `Double(_:)` would accept are refused, and so is a value that is not finite as a double.
    public static func number(_ text: String) -> Result<Double, NumberProblem> {
        let utf8 = Array(text.utf8)
        var i = 0
        func digits() -> Int {
            let start = i
            while i < utf8.count, utf8[i] >= 0x30, utf8[i] <= 0x39 { i += 1 }
            return i - start
        }
        if i < utf8.count, utf8[i] == 0x2B || utf8[i] == 0x2D { i += 1 }  // + -
        var mantissa = digits()
        if i < utf8.count, utf8[i] == 0x2E {  // .
            i += 1
            mantissa += digits()
        }
        guard mantissa > 0 else { return .failure(.notDecimal) }
        if i < utf8.count, utf8[i] == 0x65 || utf8[i] == 0x45 {  // e E
            i += 1
            if i < utf8.count, utf8[i] == 0x2B || utf8[i] == 0x2D { i += 1 }
            guard digits() > 0 else { return .failure(.notDecimal) }
        }
        guard i == utf8.count else { return .failure(.notDecimal) }
        guard let value = Double(text), value.isFinite else { return .failure(.outOfRange) }
        return .success(value)
    }
}
