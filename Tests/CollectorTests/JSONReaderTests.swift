@testable import Collector
import Foundation
import Testing

@Suite struct JSONReaderTests {
    static func number(_ text: String) throws -> Double {
        var bytes = Array(text.utf8)
        return try bytes.withUnsafeMutableBytes { raw in
            var reader = JSONReader(UnsafeRawBufferPointer(raw))
            return try reader.readNumber()
        }
    }

    static func string(_ text: String) throws -> String {
        let bytes = Array(text.utf8)
        return try bytes.withUnsafeBytes { raw in
            var reader = JSONReader(raw)
            return try reader.readString()
        }
    }

    /// The fast path and the fallback both give the double `strtod` gives (Swift's `Double(String)`).
    @Test func numbersParseToTheNearestDouble() throws {
        var generator = SystemRandomNumberGenerator()
        var texts = ["0", "-0", "1", "0.1", "0.2", "5.1", "-3.25", "1e3", "1E-3", "2.5e+10", "123456789012345678901234", "1.7976931348623157e308",
                     "4.9e-324", "0.30000000000000004", "9007199254740993", "123456.789012345678", "0.000001"]
        for _ in 0..<3000 {
            let value = Double.random(in: -1e6...1e6, using: &generator)
            texts.append("\(value)")
            texts.append(String(format: "%.6f", value))
            texts.append(String(format: "%.3f", value / 1000))
        }
        for text in texts {
            let parsed = try Self.number(text)
            let expected = try #require(Double(text))
            #expect(parsed.bitPattern == expected.bitPattern, "\(text): \(parsed) vs \(expected)")
        }
    }

    @Test(arguments: ["01", "1.", ".5", "-", "1e", "+1", "NaN", "Infinity", "1e400"])
    func invalidNumbersAreRefused(_ text: String) {
        #expect(throws: PayloadSyntaxError.self) { try Self.number(text) }
    }

    @Test func stringsUnescapeAndRejectBadUTF8() throws {
        #expect(try Self.string(#""plain""#) == "plain")
        #expect(try Self.string(#""a\"b\\c\/d\n\t""#) == "a\"b\\c/d\n\t")
        #expect(try Self.string(#""\u00e9\ud83d\ude00""#) == "é😀")
        #expect(throws: PayloadSyntaxError.self) { try Self.string("\"a\u{01}b\"") }
        #expect(throws: PayloadSyntaxError.self) { try Self.string(#""\ud83d""#) }
        #expect(throws: PayloadSyntaxError.self) { try Self.string(#""unterminated"#) }
        let invalidUTF8: [UInt8] = [0x22, 0xC3, 0x28, 0x22]
        #expect(throws: PayloadSyntaxError.self) {
            try invalidUTF8.withUnsafeBytes { raw in
                var reader = JSONReader(raw)
                _ = try reader.readString()
            }
        }
    }

    @Test func nestingIsBounded() {
        let deep = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        let bytes = Array(deep.utf8)
        let error = bytes.withUnsafeBytes { raw -> PayloadSyntaxError? in
            var reader = JSONReader(raw)
            do throws(PayloadSyntaxError) { try reader.skipValue() } catch { return error }
            return nil
        }
        #expect(error?.reason.contains("nested deeper") == true)
    }

    @Test func errorsSayWhere() {
        let bytes = Array(#"{"a": [1, 2,, 3]}"#.utf8)
        let error = bytes.withUnsafeBytes { raw -> PayloadSyntaxError? in
            var reader = JSONReader(raw)
            do throws(PayloadSyntaxError) { try reader.skipValue() } catch { return error }
            return nil
        }
        #expect(error?.offset == 12)
        #expect(error?.description.contains("byte 12") == true)
    }
}
