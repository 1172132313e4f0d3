import Driftline
import Foundation
import Testing

/// The writer thread runs under SCHED_BATCH by default (its wake-ups must not preempt request threads), and under
/// the default policy when asked. Read from the kernel: `/proc/self/task/<tid>/stat` (name, and policy in field 41).
@Suite struct LoggerSchedulingTests {
    /// Scheduling policies of this process's threads named `driftline-log` (0 SCHED_OTHER, 3 SCHED_BATCH).
    static func writerPolicies() -> [Int] {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []
        return tasks.compactMap { tid in
            guard let stat = try? String(contentsOfFile: "/proc/self/task/\(tid)/stat", encoding: .utf8),
                  let start = stat.firstIndex(of: "("), let end = stat.lastIndex(of: ")"),
                  stat[stat.index(after: start)..<end] == "driftline-log" else { return nil }
            // Fields after the name start at field 3; policy is field 41.
            let fields = stat[stat.index(after: end)...].split(separator: " ")
            return fields.count > 38 ? Int(fields[38]) : nil
        }
    }

    static func open(_ folder: TemporaryFolder, _ scheduling: InferenceLogger.WriterScheduling) throws -> InferenceLogger {
        var options = InferenceLogger.Options(writerID: "w")
        options.writerScheduling = scheduling
        return try InferenceLogger(directory: folder.path, endpoint: "iris", modelVersion: "1", schema: Schemas.iris, options: options)
    }

    /// Other tests open loggers at the same time (all with the default), so this looks for the policy it expects
    /// among every writer thread: only `.background` makes a SCHED_BATCH writer, only `.normal` a SCHED_OTHER one.
    @Test func theWriterRunsAsABatchThreadByDefaultAndUnderTheDefaultPolicyWhenAsked() async throws {
        #if os(Linux)
        let folder = TemporaryFolder()
        defer { folder.remove() }
        for (scheduling, policy) in [(InferenceLogger.WriterScheduling.background, 3), (.normal, 0)] {
            let logger = try Self.open(folder, scheduling)
            try await logger.flush()  // the writer thread has started and named itself
            #expect(Self.writerPolicies().contains(policy), "\(scheduling): a writer thread with policy \(policy); saw \(Self.writerPolicies())")
            await logger.close()
        }
        #endif
    }
}
