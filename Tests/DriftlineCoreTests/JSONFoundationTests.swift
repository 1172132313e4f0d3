import DriftlineCore
import Foundation
import Testing

/// The product's JSON reader (the Delta log, references, reports), held to Foundation's JSONDecoder (an
/// independent RFC 8259 parser).
@Suite struct JSONFoundationTests {
    /// Numbers compared by value: `1.0` and `1` are the same JSON number.
    static func normalized(_ value: JSONValue) -> JSONValue {
        switch value {
        case let .int(number): return .double(Double(number))
        case let .array(items): return .array(items.map(normalized))
        case let .object(members): return .object(members.mapValues(normalized))
        default: return value
        }
    }

    static func problem(_ bytes: [UInt8]) -> JSONSyntaxError.Problem? {
        do throws(JSONSyntaxError) { _ = try JSONValue.parse(bytes); return nil } catch { return error.problem }
    }

    static func foundation(_ bytes: [UInt8]) -> JSONValue? {
        try? JSONDecoder().decode(JSONValue.self, from: Data(bytes))
    }

    @Test(arguments: [
        #"{"a":[1,-2.5e3,0,true,false,null],"b":{"c":"d"},"e":""}"#,
        #"  {"esc":"\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00"}  "#,
        #"[-0, 1E+2, 0.000001, 9223372036854775807, -9223372036854775808, 92233720368547758070]"#,
        #""just a string""#,
        "123",
        "{\"k\":\"é – 漢字\"}",
    ])
    func validTextParsesAsFoundationDoes(text: String) throws {
        let ours = try JSONValue.parse(text)
        let theirs = try #require(Self.foundation(Array(text.utf8)))
        #expect(Self.normalized(ours) == Self.normalized(theirs))
        // What we write parses back to the same value.
        for format in [JSONFormat.compact, .deltaLog, .reference, .referenceCompact, .foundationPretty, .foundationCompact] {
            #expect(Self.normalized(try JSONValue.parse(ours.bytes(format))) == Self.normalized(ours))
        }
    }

    @Test(arguments: [
        "", " ", "{", "[", "{\"a\":1,}", "[1,]", "01", "1.", ".5", "+1", "-", "1e", "\"\\x\"", "\"\\ud800\"",
        "\"\\udc00\"", "\"\\u12\"", "tru", "nul", "{\"a\" 1}", "{a:1}", "\"open", "1 2", "[1 2]", "{\"a\":1 \"b\":2}",
        "\"tab\there\"", "NaN", "Infinity", "1e999", "[" + String(repeating: "[", count: 300) + String(repeating: "]", count: 301),
    ])
    func invalidTextIsRejected(text: String) {
        #expect(throws: JSONSyntaxError.self) { try JSONValue.parse(text) }
    }

    @Test func invalidUTF8IsRejected() {
        #expect(throws: JSONSyntaxError.self) { try JSONValue.parse([34, 0xC3, 0x28, 34][...]) }
        #expect(throws: JSONSyntaxError.self) { try JSONValue.parse([34, 92, 110, 0xFF, 34][...]) }
    }

    /// Random mutations of a real log line: we accept exactly what Foundation accepts, with equal values.
    @Test func mutatedLinesAgreeWithFoundation() throws {
        let line = Array(#"{"add":{"path":"endpoint=iris/part-1.parquet","partitionValues":{"endpoint":"iris","x":null},"size":1234,"modificationTime":1700000000000,"dataChange":true,"stats":"{\"numRecords\":3,\"minValues\":{\"ts\":\"2023-11-14T22:13:20.000Z\"}}","tags":{"a":"b\u00e9"}}}"#.utf8)
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("{}[]\",:0123456789.eE+-tfnul \\/\u{7f}".utf8) + [0xC3, 0xA9, 0xFF, 0x00]
        var accepted = 0
        for _ in 0..<3_000 {
            var copy = line
            for _ in 0..<Int.random(in: 1...2, using: &generator) {
                let position = Int.random(in: 0..<copy.count, using: &generator)
                switch Int.random(in: 0..<3, using: &generator) {
                case 0: copy[position] = alphabet.randomElement(using: &generator) ?? 0
                case 1: copy.remove(at: position)
                default: copy.insert(alphabet.randomElement(using: &generator) ?? 0, at: position)
                }
            }
            let ours = try? JSONValue.parse(copy[...])
            let theirs = Self.foundation(copy)
            // Foundation tolerates trailing commas and repeated member names; we do not. Otherwise we agree exactly.
            let text = String(decoding: copy, as: UTF8.self).filter { !$0.isWhitespace }
            if ours == nil, theirs != nil, text.contains(",}") || text.contains(",]") { continue }
            if case .duplicateMember? = Self.problem(copy) { continue }
            #expect(ours.map(Self.normalized) == theirs.map(Self.normalized), "\(copy)")
            if ours != nil { accepted += 1 }
        }
        #expect(accepted > 100)
    }
}
