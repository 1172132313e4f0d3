/// Why a text is not the JSON ``JSONValue/parse(_:limits:)`` accepts, and where: the byte offset of the
/// problem (0-based) and its line and column (1-based).
public struct JSONSyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Problem: Sendable, Equatable {
        case unexpectedEnd
        /// A byte that cannot start or continue anything here.
        case unexpectedCharacter(UInt8)
        /// Text that starts like `true`, `false` or `null` but is not.
        case invalidLiteral
        case expectedMemberName
        case expectedColon
        /// After a member or item: a comma or the closing bracket (`}` or `]`).
        case expectedCommaOr(Character)
        case duplicateMember(String)
        case controlCharacterInString
        case invalidUTF8
        case invalidEscape
        case unpairedSurrogate
        case invalidNumber
        case numberOutOfRange
        case trailingText
        case tooDeep(limit: Int)
        case tooLarge(bytes: Int, limit: Int)
    }

    public let problem: Problem
    /// Byte offset of the problem in the text.
    public let offset: Int
    public let line: Int
    public let column: Int

    public init(problem: Problem, offset: Int, line: Int, column: Int) {
        self.problem = problem
        self.offset = offset
        self.line = line
        self.column = column
    }

    public var description: String {
        "line \(line), column \(column) (byte \(offset + 1)): \(reason)"
    }

    /// The problem in words.
    public var reason: String {
        switch problem {
        case .unexpectedEnd: "the text ends in the middle of a value; is the file truncated?"
        case let .unexpectedCharacter(byte):
            (32..<127).contains(byte) ? "unexpected character '\(Character(Unicode.Scalar(byte)))'" : "unexpected byte 0x\(String(byte, radix: 16))"
        case .invalidLiteral: "not true, false or null"
        case .expectedMemberName: "expected a member name in double quotes"
        case .expectedColon: "expected ':' after the member name"
        case let .expectedCommaOr(close): "expected ',' or '\(close)'"
        case let .duplicateMember(name): "member \"\(name)\" appears twice in one object"
        case .controlCharacterInString: "control character in a string (write it as an escape such as \\n)"
        case .invalidUTF8: "invalid UTF-8 in a string"
        case .invalidEscape: "invalid escape in a string"
        case .unpairedSurrogate: "\\u escape with an unpaired UTF-16 surrogate"
        case .invalidNumber: "invalid number"
        case .numberOutOfRange: "number out of the range of a 64-bit double"
        case .trailingText: "unexpected text after the value"
        case let .tooDeep(limit): "nested deeper than \(limit) levels"
        case let .tooLarge(bytes, limit): "the text is \(bytes) bytes, more than the \(limit) this reader accepts"
        }
    }
}

/// How much ``JSONValue/parse(_:limits:)`` accepts before refusing: nesting and size.
public struct JSONLimits: Sendable {
    /// Containers nested deeper than this are refused rather than risking the stack.
    public var maximumDepth: Int
    /// A longer text is refused before it is read.
    public var maximumBytes: Int

    public init(maximumDepth: Int = 256, maximumBytes: Int = 256 << 20) {
        self.maximumDepth = maximumDepth
        self.maximumBytes = maximumBytes
    }

    public static let `default` = JSONLimits()
}
