import DriftlineCore
import Testing
@testable import CSVInput

@Suite struct CSVReaderTests {
    static func items(_ text: String) -> [CSVReader.Item] {
        var reader = CSVReader(bytes: Array(text.utf8))
        var items: [CSVReader.Item] = []
        while let item = reader.next() { items.append(item) }
        return items
    }

    static func row(_ line: Int, _ fields: [String]) -> CSVReader.Item { .row(.init(line: line, fields: fields)) }

    @Test func quotedFieldsCRLFAndEmptyLinesFollowRFC4180() {
        let items = Self.items("a,b\r\n\"x,1\",\"say \"\"hi\"\"\"\r\n\r\n\"two\nlines\",3\n4,\n")
        #expect(items == [Self.row(1, ["a", "b"]), Self.row(2, ["x,1", "say \"hi\""]), Self.row(4, ["two\nlines", "3"]), Self.row(6, ["4", ""])])
    }

    @Test func anUnterminatedQuoteRejectsItsRowOnlyAndNamesTheLineWhereItOpened() {
        let items = Self.items("a,b\n1,2\n3,\"oops\n5,6\n7,8\n")
        #expect(items.count == 5)
        guard case .problem(let problem) = items[2] else { Issue.record("no problem: \(items)"); return }
        #expect(problem.line == 3 && problem.column == 2)
        #expect(problem.detail.contains("unterminated quoted field") && problem.detail.contains("line 3"))
        #expect(items[3] == Self.row(4, ["5", "6"]) && items[4] == Self.row(5, ["7", "8"]))
    }

    @Test func aQuoteThatClosesLinesLaterFollowedByTextIsUnterminatedToo() {
        let items = Self.items("a,b\n1,\"x\n2,\"y\"\n3,4\n")
        guard case .problem(let problem) = items[1] else { Issue.record("no problem: \(items)"); return }
        #expect(problem.line == 2 && problem.detail.contains("unterminated"))
        #expect(items[2] == Self.row(3, ["2", "y"]) && items[3] == Self.row(4, ["3", "4"]))
    }

    @Test func raggedRowsStrayQuotesAndBareCRAreProblemsOfTheirLine() {
        let items = Self.items("a,b\n1,2,3\n4\n5,x\"y\n6,\"z\"w\n7,8\r9\n10,11\n")
        let lines = items.compactMap { item -> Int? in if case .problem(let p) = item { return p.line } else { return nil } }
        #expect(lines == [2, 3, 4, 5, 6])
        #expect(items.last == Self.row(7, ["10", "11"]))
    }

    @Test func aByteOrderMarkIsIgnoredAndInvalidUTF8IsAProblem() {
        let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("a\n".utf8) + [0xFF] + [0x0A]
        var reader = CSVReader(bytes: bytes)
        #expect(reader.next() == Self.row(1, ["a"]))
        guard case .problem(let problem)? = reader.next() else { Issue.record("no problem"); return }
        #expect(problem.line == 2)
    }

    @Test func numbersArePlainDecimalsOnly() {
        for good in ["0", "-1.5", "+2", ".5", "5.", "1e-3", "2E+10"] { #expect((try? CSVText.number(good).get()) != nil, "\(good)") }
        for bad in ["0x10", "nan", "NaN", "inf", "-infinity", "1_000", "1,5", "", "e5", "1e", " 1", "--1"] {
            #expect(CSVText.number(bad) == .failure(.notDecimal), "\(bad)")
        }
        #expect(CSVText.number("1e400") == .failure(.outOfRange))
    }


    @Test func messagesQuoteAtMostAHundredCharacters() {
        let long = String(repeating: "x", count: 5000)
        let quoted = CSVText.quoted(long)
        #expect(quoted.count < 140 && quoted.contains("5000 characters"))
        #expect(CSVText.quoted("short") == "\"short\"")
    }
}
