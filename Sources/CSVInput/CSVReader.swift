/// A strict RFC 4180 reader that knows the line of every row and of every problem.
///
/// Rules (README, "CSV input"): fields are separated by `,`, rows end in LF or CRLF; a field that starts
/// with `"` is quoted and ends at the next lone `"`, which must be followed by `,`, the end of the line or
/// the end of the file; inside it `""` is one quote and line breaks are data. A `"` inside an unquoted
/// field, a bare CR, text after a closing quote, a quote that never closes, a row whose number of fields
/// differs from the header's and bytes that are not UTF-8 are problems. A problem rejects its row only:
/// the reader reports it with the row's line and goes on at the next line (after a quote that does not
/// close properly, at the line after the one where it opened, so one stray quote cannot swallow the rest of
/// the file). Empty lines are skipped. A UTF-8 byte-order mark before the header is ignored.
///
/// yaslab/CSV.swift (the CLI's former reader) cannot do this: it gives no line numbers and reads an
/// unterminated quote as one field that runs to the end of the file.
public struct CSVReader {
    /// One row: the line it starts on (1-based) and its fields.
    public struct Row: Sendable, Equatable {
        /// The line of the row's first byte.
        public let line: Int
        /// The fields, unquoted (not trimmed).
        public let fields: [String]
    }

    /// What ``next()`` reads: a row, or a row that cannot be read and why.
    public enum Item: Sendable, Equatable {
        case row(Row)
        case problem(CSVProblem)
    }

    let bytes: [UInt8]
    var position: Int
    var line = 1
    /// The number of fields every row must have: the header's (set once the first row is read).
    public private(set) var fieldCount: Int?

    static let quote: UInt8 = 0x22, comma: UInt8 = 0x2C, lf: UInt8 = 0x0A, cr: UInt8 = 0x0D

    /// A reader of `bytes` (a whole file); the first row it returns is the header.
    public init(bytes: [UInt8]) {
        self.bytes = bytes
        position = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
    }

    /// The next row or problem; `nil` at the end of the file.
    public mutating func next() -> Item? {
        while position < bytes.count {
            // An empty line (LF or CRLF alone) is skipped.
            if bytes[position] == Self.lf {
                position += 1
                line += 1
                continue
            }
            if bytes[position] == Self.cr, position + 1 < bytes.count, bytes[position + 1] == Self.lf {
                position += 2
                line += 1
                continue
            }
            return readRow()
        }
        return nil
    }

    /// Where a quoted field that spans lines opened: after a problem the reader resumes at the line after it.
    struct QuoteStart {
        var line: Int
        var position: Int
        var column: Int
    }

    mutating func readRow() -> Item {
        let startLine = line
        var fields: [String] = []
        var field: [UInt8] = []
        var multiLine: QuoteStart?
        while true {
            field.removeAll(keepingCapacity: true)
            let column = fields.count + 1
            if position < bytes.count, bytes[position] == Self.quote {
                let open = QuoteStart(line: line, position: position, column: column)
                position += 1
                var closed = false
                while position < bytes.count {
                    let c = bytes[position]
                    if c == Self.quote {
                        if position + 1 < bytes.count, bytes[position + 1] == Self.quote {
                            field.append(Self.quote)
                            position += 2
                            continue
                        }
                        position += 1
                        closed = true
                        break
                    }
                    if c == Self.lf { line += 1 }
                    field.append(c)
                    position += 1
                }
                if line > open.line, multiLine == nil { multiLine = open }
                guard closed else {
                    return unterminated(open, detail: "the quote opened in column \(open.column) on line \(open.line) is not closed before the end of the file")
                }
                // After the closing quote: a comma, the end of the line or the end of the file.
                if position < bytes.count, !isFieldEnd(position) {
                    let after = Self.text(bytes[position..<min(bytes.count, position + 20)].prefix { $0 != Self.lf && $0 != Self.cr })
                    if line > open.line {
                        return unterminated(open, detail: "the quote opened in column \(open.column) on line \(open.line) only closes on line \(line), "
                            + "followed by \(CSVText.quoted(after)) instead of a comma or the end of the line")
                    }
                    return problem(startLine, column: column, "text \(CSVText.quoted(after)) after the closing quote of the field; quote the whole field, and write a quote inside it as \"\"")
                }
            } else {
                while position < bytes.count {
                    let c = bytes[position]
                    if c == Self.comma || c == Self.lf { break }
                    if c == Self.cr {
                        guard position + 1 < bytes.count, bytes[position + 1] == Self.lf else {
                            return problem(startLine, column: column, "a carriage return (CR) that does not end the line; rows end in LF or CRLF")
                        }
                        break
                    }
                    if c == Self.quote {
                        return problem(startLine, column: column,
                                       "a quote inside the unquoted field \(CSVText.quoted(Self.text(field + [c]))); quote the whole field and write the quote as \"\"")
                    }
                    field.append(c)
                    position += 1
                }
            }
            guard let text = String(validating: field, as: UTF8.self) else {
                return problem(startLine, column: column, "bytes that are not UTF-8 text; save the file as UTF-8")
            }
            fields.append(text)
            // The field ends at a comma (another field follows), the end of the line or of the file.
            if position < bytes.count, bytes[position] == Self.comma {
                position += 1
                continue
            }
            if position < bytes.count, bytes[position] == Self.cr { position += 1 }
            if position < bytes.count, bytes[position] == Self.lf {
                position += 1
                line += 1
            }
            break
        }
        guard let expected = fieldCount else {
            fieldCount = fields.count
            return .row(Row(line: startLine, fields: fields))
        }
        guard fields.count == expected else {
            let detail = "\(fields.count) fields where the header has \(expected); every row has one field per header column"
            if let multiLine {
                return unterminated(multiLine, detail: detail + " (a quoted field runs from line \(multiLine.line) to line \(line - 1): is a quote missing?)")
            }
            return .problem(CSVProblem(line: startLine, column: nil, detail: detail))
        }
        return .row(Row(line: startLine, fields: fields))
    }

    func isFieldEnd(_ at: Int) -> Bool {
        let c = bytes[at]
        return c == Self.comma || c == Self.lf || (c == Self.cr && at + 1 < bytes.count && bytes[at + 1] == Self.lf)
    }

    /// A problem on one line: the reader goes on at the next line.
    mutating func problem(_ rowLine: Int, column: Int, _ detail: String) -> Item {
        skipLine()
        return .problem(CSVProblem(line: rowLine, column: column, detail: detail))
    }

    /// A quote that does not close properly: the row is rejected and the reader goes on at the line after the
    /// one where the quote opened (the rows after it are read, not swallowed).
    mutating func unterminated(_ open: QuoteStart, detail: String) -> Item {
        position = open.position
        line = open.line
        skipLine()
        return .problem(CSVProblem(line: open.line, column: open.column, detail: "unterminated quoted field: \(detail); "
            + "close the quote (a quote inside a quoted field is written as \"\")"))
    }

    /// Moves past the next LF.
    mutating func skipLine() {
        while position < bytes.count, bytes[position] != Self.lf { position += 1 }
        if position < bytes.count {
            position += 1
            line += 1
        }
    }

    static func text<S: Sequence>(_ bytes: S) -> String where S.Element == UInt8 { String(decoding: Array(bytes), as: UTF8.self) }
}
