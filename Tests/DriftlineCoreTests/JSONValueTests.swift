import DriftlineCore
import Testing

/// The one JSON value type: ordered members, each format's exact bytes, and the strict parser's typed errors.
@Suite struct JSONValueTests {
    static let sample: JSONValue = .object([
        ("zeta", .int(1)), ("alpha", .array([.double(2.5), .bool(true), .null, .string("x")])),
        ("mid", .object([("b", .int(-3)), ("a", .array([]))])), ("empty", .object(JSONObject())),
    ])

    @Test func membersKeepTheirOrderThroughParseAndWrite() throws {
        let parsed = try JSONValue.parse(#"{"b":1,"a":2,"c":{"y":true,"x":false}}"#)
        #expect(parsed.object?.keys == ["b", "a", "c"])
        #expect(parsed.object?["c"]?.object?.keys == ["y", "x"])
        #expect(parsed.text(.compact) == #"{"b":1,"a":2,"c":{"y":true,"x":false}}"#)
        #expect(parsed.text(.deltaLog) == #"{"a":2,"b":1,"c":{"x":false,"y":true}}"#)
        // A dictionary has no order: its members come sorted.
        #expect(JSONValue.object(["b": .int(1), "a": .int(2)]).object?.keys == ["a", "b"])
    }

    @Test func objectsAreEqualWhateverTheirOrder() throws {
        let one = try JSONValue.parse(#"{"a":1,"b":[1,2]}"#), two = try JSONValue.parse(#"{"b":[1,2],"a":1}"#)
        #expect(one == two)
        #expect(one.hashValue == two.hashValue)
        #expect(one != (try JSONValue.parse(#"{"a":1,"b":[2,1]}"#)))
        #expect(one != (try JSONValue.parse(#"{"a":1}"#)))
    }

    @Test func settingAndRemovingMembers() {
        var object = JSONObject([("a", .int(1)), ("b", .int(2)), ("c", .int(3))])
        object["b"] = nil
        object["d"] = .int(4)
        object["a"] = .int(0)
        #expect(object.keys == ["a", "c", "d"])
        #expect(object["c"] == .int(3))
        #expect(object["b"] == nil)
        #expect(JSONValue.object(object).text(.compact) == #"{"a":0,"c":3,"d":4}"#)
    }

    @Test func everyFormatRoundTrips() throws {
        for format in [JSONFormat.compact, .deltaLog, .reference, .referenceCompact, .foundationPretty, .foundationCompact] {
            let text = Self.sample.bytes(format)
            #expect(try JSONValue.parse(text) == Self.sample, "\(String(decoding: text, as: UTF8.self))")
        }
    }

    @Test func indentedIsTheReferenceLayout() {
        #expect(Self.sample.text(.reference) == """
            {
              "zeta": 1,
              "alpha": [2.5, true, null, "x"],
              "mid": {
                "b": -3,
                "a": []
              },
              "empty": {}
            }

            """)
        #expect(JSONValue.array([.array([.int(1)]), .int(2)]).text(.reference) == "[\n  [1],\n  2\n]\n")
    }

    @Test func foundationPrettyIsJSONEncodersLayout() {
        #expect(Self.sample.text(.foundationPretty) == """
            {
              "alpha" : [
                2.5,
                true,
                null,
                "x"
              ],
              "empty" : {

              },
              "mid" : {
                "a" : [

                ],
                "b" : -3
              },
              "zeta" : 1
            }
            """)
        #expect(Self.sample.text(.foundationCompact) == #"{"alpha":[2.5,true,null,"x"],"empty":{},"mid":{"a":[],"b":-3},"zeta":1}"#)
    }

    @Test func stringEscapes() throws {
        let text = "q\" b\\ s/ n\n r\r t\t bs\u{8} ff\u{c} one\u{1} del\u{7f} é 😀"
        let value = JSONValue.string(text)
        #expect(value.text(.compact) == #""q\" b\\ s/ n\n r\r t\t bs\u0008 ff\u000c one\u0001 del\#u{7f} é 😀""#)
        #expect(value.text(.foundationCompact) == #""q\" b\\ s\/ n\n r\r t\t bs\b ff\f one\u0001 del\#u{7f} é 😀""#)
        for format in [JSONFormat.compact, .foundationCompact] { #expect(try JSONValue.parse(value.bytes(format)) == value) }
        #expect(try JSONValue.parse(#""\u00e9\ud83d\ude00\/""#) == .string("é😀/"))
    }

    @Test(arguments: [
        (JSONValue.int(1), "1", "1", "1"),
        (.double(1), "1.0", "1.0", "1"),
        (.double(-0.0), "-0.0", "0.0", "-0"),
        (.double(0.1), "0.1", "0.1", "0.1"),
        (.double(123456789012345), "123456789012345.0", "123456789012345.0", "123456789012345"),
        (.double(1e16), "1e+16", "1e+16", "1e+16"),
        (.double(1e-7), "1e-07", "1e-07", "1e-07"),
        (.int(.max), "9223372036854775807", "9223372036854775807", "9223372036854775807"),
        (.double(.nan), "null", "null", "\"NaN\""),
        (.double(-.infinity), "null", "null", "\"-Infinity\""),
    ])
    func numbersAreWrittenAsEachFileWantsThem(value: JSONValue, compact: String, reference: String, foundation: String) {
        #expect(value.text(.compact) == compact)
        #expect(value.text(.referenceCompact) == reference)
        #expect(value.text(.foundationCompact) == foundation)
    }

    @Test func numbersKeepWholeAndFractionalApart() throws {
        #expect(try JSONValue.parse("42") == .int(42))
        #expect(try JSONValue.parse("-9223372036854775808") == .int(.min))
        #expect(try JSONValue.parse("9223372036854775808") == .double(9223372036854775808))
        #expect(try JSONValue.parse("42.0") == .double(42))
        #expect(try JSONValue.parse("1.5E3") == .double(1500))
        #expect(try JSONValue.parse("-0") == .int(0))
        #expect(try JSONValue.parse("42.0").int64 == 42)
        #expect(try JSONValue.parse("42.5").int64 == nil)
    }

    @Test(arguments: [
        ("", JSONSyntaxError.Problem.unexpectedEnd, 0),
        ("  ", .unexpectedEnd, 2),
        ("{", .unexpectedEnd, 1),
        ("[1,", .unexpectedEnd, 3),
        ("\"open", .unexpectedEnd, 5),
        ("\"a\\", .unexpectedEnd, 3),
        ("x", .unexpectedCharacter(UInt8(ascii: "x")), 0),
        ("[1,]", .unexpectedCharacter(UInt8(ascii: "]")), 3),
        ("NaN", .unexpectedCharacter(UInt8(ascii: "N")), 0),
        ("tru", .unexpectedEnd, 3),
        ("nulL", .invalidLiteral, 0),
        ("{a:1}", .expectedMemberName, 1),
        ("{\"a\":1,}", .expectedMemberName, 7),
        ("{\"a\" 1}", .expectedColon, 5),
        ("{\"a\":1 \"b\":2}", .expectedCommaOr("}"), 7),
        ("[1 2]", .expectedCommaOr("]"), 3),
        ("{\"a\":1,\"a\":2}", .duplicateMember("a"), 7),
        ("\"tab\there\"", .controlCharacterInString, 4),
        ("\"\\x\"", .invalidEscape, 2),
        ("\"\\u12g4\"", .invalidEscape, 5),
        ("\"\\ud800\"", .unpairedSurrogate, 7),
        ("\"\\udc00\"", .unpairedSurrogate, 7),
        ("01", .trailingText, 1),
        ("1 2", .trailingText, 2),
        ("1.", .unexpectedEnd, 2),
        ("1.x", .invalidNumber, 2),
        ("-a", .invalidNumber, 1),
        ("1e", .unexpectedEnd, 2),
        ("1e999", .numberOutOfRange, 0),
        ("[[[[1]]]]", .tooDeep(limit: 3), 3),
    ])
    func malformedTextGivesTheProblemAndWhere(text: String, problem: JSONSyntaxError.Problem, offset: Int) {
        #expect {
            try JSONValue.parse(text, limits: JSONLimits(maximumDepth: 3))
        } throws: { error in
            guard let error = error as? JSONSyntaxError else { return false }
            return error.problem == problem && error.offset == offset
        }
    }

    @Test func errorsNameLineAndColumn() {
        #expect {
            try JSONValue.parse("{\n  \"a\": tru,\n}")
        } throws: { error in
            guard let error = error as? JSONSyntaxError else { return false }
            return error.problem == .invalidLiteral && error.line == 2 && error.column == 8
                && error.description == "line 2, column 8 (byte 10): not true, false or null"
        }
    }

    @Test func invalidUTF8AndLimits() throws {
        #expect(throws: JSONSyntaxError(problem: .invalidUTF8, offset: 3, line: 1, column: 4)) { try JSONValue.parse([34, 0xC3, 0x28, 34]) }
        #expect(throws: JSONSyntaxError(problem: .invalidUTF8, offset: 4, line: 1, column: 5)) { try JSONValue.parse([34, 92, 110, 0xFF, 34]) }
        let big = Array("[" + String(repeating: "1,", count: 100) + "1]")
        #expect(throws: JSONSyntaxError(problem: .tooLarge(bytes: big.count, limit: 100), offset: 0, line: 1, column: 1)) {
            try JSONValue.parse(String(big), limits: JSONLimits(maximumBytes: 100))
        }
        // The default depth limit holds a deep document without crashing.
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: JSONSyntaxError.self) { try JSONValue.parse(deep) }
    }

    /// Random bytes and random cuts of a valid document never crash the parser: a value or a typed error.
    @Test func randomInputIsAValueOrATypedError() {
        var generator = SplitMix(seed: 7)
        let document = Array(Self.sample.bytes(.reference))
        for round in 0..<5_000 {
            var bytes = round % 2 == 0 ? document : (0..<Int(generator.next() % 64)).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
            if round % 2 == 0, !bytes.isEmpty {
                for _ in 0..<3 { bytes[Int(generator.next() % UInt64(bytes.count))] = UInt8(truncatingIfNeeded: generator.next()) }
                bytes = Array(bytes.prefix(Int(generator.next() % UInt64(bytes.count + 1))))
            }
            do throws(JSONSyntaxError) { _ = try JSONValue.parse(bytes) } catch { #expect(error.offset <= bytes.count) }
        }
    }
}

private struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
