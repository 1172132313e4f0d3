import DriftlineCore
import DriftlineLog
import Foundation
import Testing

@Suite struct CorruptionTests {
    @Test func everySingleByteFlipIsDetectedAndOnlyThatBatchIsLost() throws {
        try withTemporaryFolder { log in
            let writer = try Sample.openWriter(log)
            var starts: [Int] = []
            for i in 0..<5 {
                starts.append(writer.writtenOffset == 0 && i == 0 ? 0 : fileSize("\(writer.folder)/00000000000000000000.log"))
                try writer.append(Sample.records(i * 4..<(i + 1) * 4))
                try writer.flushToOS()
            }
            try writer.close()
            let path = "\(writer.folder)/00000000000000000000.log"
            let original = readFile(path)
            let ends = Array(starts.dropFirst()) + [original.count]
            for flip in 0..<original.count {
                var bytes = original
                bytes[flip] ^= 0xFF
                writeFile(path, bytes)
                let outcome = try readToEnd(writer.folder)
                guard let batch = starts.lastIndex(where: { $0 <= flip }) else { continue }
                let expected = (0..<5).filter { $0 != batch }.flatMap { Sample.records($0 * 4..<($0 + 1) * 4) }
                #expect(outcome.records == expected, "flip at \(flip) in batch \(batch)")
                #expect(!outcome.corruption.isEmpty, "flip at \(flip) not reported")
                #expect(outcome.corruption.first?.position == starts[batch], "flip at \(flip)")
                #expect(outcome.corruption.allSatisfy { $0.position >= starts[batch] && $0.position < ends[batch] })
                // The lost records are accounted for as a gap, except for the last batch (nothing follows it yet).
                if batch < 4 { #expect(outcome.lostRecords == 4, "flip at \(flip)") }
            }
        }
    }
}
