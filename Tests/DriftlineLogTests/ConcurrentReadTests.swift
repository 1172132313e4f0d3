import DriftlineCore
import DriftlineLog
import Foundation
import Testing

@Suite struct ConcurrentReadTests {
    /// A writer thread appends small batches (rolling segments often, flushing after each) while a reader
    /// polls the growing partition: every record arrives exactly once, in order, with no false corruption.
    @Test func readerFollowingAWriterSeesEveryRecordOnceInOrder() throws {
        try withTemporaryFolder { log in
            var options = PartitionWriter.Options()
            options.segmentBytes = 8 << 10
            options.indexIntervalBytes = 512
            let settings = options
            let total = 6_000
            let opened = DispatchSemaphore(value: 0)
            let done = DispatchSemaphore(value: 0)
            let failure = LockedBox<String?>(nil)
            // The writer is not Sendable: the thread that uses it opens it (and owns it alone).
            Thread.detachNewThread {
                do {
                    let writer = try Sample.openWriter(log, options: settings)
                    opened.signal()
                    var i = 0
                    var size = 1
                    while i < total {
                        let end = min(total, i + size)
                        try writer.append(Sample.records(i..<end))
                        try writer.flushToOS()
                        i = end
                        size = size % 23 + 1
                    }
                    try writer.sync()
                } catch {
                    failure.set("\(error)")
                    opened.signal()
                }
                done.signal()
            }
            opened.wait()
            let folder = "\(log)/iris/w1"
            let reader = try PartitionReader(partition: folder)
            var records: [LogRecord] = []
            var offsets: [Int64] = []
            var problems: [String] = []
            var writerDone = false
            while true {
                let events = try reader.read()
                for event in events {
                    switch event {
                    case .records(let batch):
                        records += batch.records
                        offsets += (0..<batch.records.count).map { batch.firstOffset + Int64($0) }
                    case .corruption(let region): problems.append(region.description)
                    case .gap(let gap): problems.append(gap.description)
                    }
                }
                if events.isEmpty {
                    if writerDone { break }
                    writerDone = done.wait(timeout: .now() + .milliseconds(2)) == .success
                }
            }
            #expect(failure.value == nil)
            #expect(problems.isEmpty)
            #expect(SegmentWalk.segments(folder).count > 10)
            #expect(offsets == (0..<Int64(total)).map { $0 })
            #expect(records == Sample.records(0..<total))
        }
    }
}

/// A value shared between a test and a thread it starts.
final class LockedBox<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Value
    init(_ value: Value) { stored = value }
    var value: Value { lock.withLock { stored } }
    func set(_ value: Value) { lock.withLock { stored = value } }
}
