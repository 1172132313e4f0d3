import Testing
import DriftlineCore
import DriftlineLog
import Foundation

/// Everything a reader returns until it is caught up.
struct ReadOutcome {
    var records: [LogRecord] = []
    var offsets: [Int64] = []
    var corruption: [CorruptRegion] = []
    var gaps: [Gap] = []

    var lostRecords: Int64 { gaps.reduce(0) { $0 + $1.lostRecords } }
}

func readToEnd(_ partition: String, from offset: Int64 = 0, decoding: PartitionReader.Decoding = .records) throws -> ReadOutcome {
    let reader = try PartitionReader(partition: partition, from: offset, decoding: decoding)
    var outcome = ReadOutcome()
    var storage: [DecodedRecord] = []
    while true {
        let events = try reader.read()
        if events.isEmpty { break }
        for event in events {
            switch event {
            case .records(let batch):
                let records: [LogRecord]
                if decoding == .deferred {
                    #expect(batch.records.isEmpty)
                    records = try batch.decode(into: &storage).map { storage[$0].logRecord }
                } else {
                    records = batch.records
                }
                #expect(records.count == batch.count && batch.nextOffset == batch.firstOffset + Int64(batch.count))
                outcome.records += records
                outcome.offsets += (0..<records.count).map { batch.firstOffset + Int64($0) }
            case .corruption(let region): outcome.corruption.append(region)
            case .gap(let gap): outcome.gaps.append(gap)
            }
        }
    }
    return outcome
}

extension Data {
    var bytes: [UInt8] { [UInt8](self) }
}

func readFile(_ path: String) -> [UInt8] { FileManager.default.contents(atPath: path)?.bytes ?? [] }

func writeFile(_ path: String, _ bytes: [UInt8]) {
    // Overwrite in place (keeps the inode and its mode).
    guard let handle = FileHandle(forUpdatingAtPath: path) else { return }
    handle.truncateFile(atOffset: 0)
    handle.write(Data(bytes))
    handle.closeFile()
}
