import Driftline
import DriftlineLog
import Foundation
import Testing

@Suite struct LoggerConcurrencyTests {
    static let schema = try! ModelSchema(features: [.numeric("x")], task: .classification(classes: ["no", "yes"]))

    static func id(thread: Int, index: Int) -> RequestID {
        try! RequestID(bytes: [UInt8(thread), UInt8(index >> 16 & 0xFF), UInt8(index >> 8 & 0xFF), UInt8(index & 0xFF)])
    }

    @Test func eightThreadsLoggingAHundredThousandEachLoseNothingAndDuplicateNothing() async throws {
        let folder = TemporaryFolder()
        defer { folder.remove() }
        let threads = 8
        let perThread = 100_000
        let logger = try InferenceLogger(
            directory: folder.path, endpoint: "load", modelVersion: "1", schema: Self.schema,
            options: .init(writerID: "w", bufferBytes: 1 << 20, bufferPolicy: .block(timeout: .seconds(30))))
        let failures = Counter()
        DispatchQueue.concurrentPerform(iterations: threads) { thread in
            let time = Timestamp(microsecondsSinceEpoch: 1_763_900_000_000_000 + Int64(thread))
            for index in 0..<perThread {
                do {
                    try logger.log(features: [.number(Double(index))], probabilities: [0.25, 0.75],
                                   requestID: Self.id(thread: thread, index: index), timestamp: time)
                } catch {
                    failures.add()
                }
            }
        }
        try await logger.flush()
        let stats = logger.statistics
        #expect(failures.value == 0)
        #expect(stats.logged == threads * perThread)
        #expect(stats.dropped == 0)
        #expect(stats.written == threads * perThread)
        await logger.close()

        let found = LogReadBack.read(partition: logger.partitionFolder, schema: Self.schema)
        #expect(found.problems.isEmpty)
        #expect(found.records.count == threads * perThread)
        var next = [Int](repeating: 0, count: threads)
        var outOfOrder = 0
        for record in found.records {
            guard case .inference(let r) = record, r.requestID.bytes.count == 4 else { outOfOrder += 1; continue }
            let b = r.requestID.bytes
            let thread = Int(b[0])
            let index = Int(b[1]) << 16 | Int(b[2]) << 8 | Int(b[3])
            // Each thread's records appear once each, in the order that thread logged them.
            if thread < threads, index == next[thread], r.features == [.number(Double(index))] { next[thread] += 1 } else { outOfOrder += 1 }
        }
        #expect(outOfOrder == 0)
        #expect(next == [Int](repeating: perThread, count: threads))
    }

    @Test func fullBufferWithDropNewestCountsEveryDropAndLogsTheRest() async throws {
        let folder = TemporaryFolder()
        defer { folder.remove() }
        let logger = try InferenceLogger(
            directory: folder.path, endpoint: "tiny", modelVersion: "1", schema: Self.schema,
            options: .init(writerID: "w", bufferBytes: 2048))
        let attempts = 200_000
        for index in 0..<attempts {
            try logger.log(features: [.number(Double(index))], probabilities: [0.5, 0.5], requestID: Self.id(thread: 0, index: index))
        }
        try await logger.flush()
        let stats = logger.statistics
        #expect(stats.droppedBufferFull > 0)
        #expect(stats.logged + stats.droppedBufferFull == attempts)
        await logger.close()
        let records = LogReadBack.read(partition: logger.partitionFolder, schema: Self.schema).records
        #expect(records.count == stats.logged)
    }
}

final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func add() { lock.withLock { count += 1 } }
    var value: Int { lock.withLock { count } }
}
