import Driftline
import DriftlineLog
import Foundation
import Testing

@Suite struct LoggerKillTests {
    /// A child logs continuously; after each `flush()` returns it prints how many records it has flushed.
    /// It is killed with SIGKILL at 20 random moments and restarted on the same partition each time.
    /// Every flushed record must be read back exactly once, in order.
    @Test func everyFlushedRecordSurvivesKillNineExactlyOnceInOrder() throws {
        let folder = TemporaryFolder("driftline-kill")
        defer { folder.remove() }
        let child = BuiltProducts.interopURL("driftline-logger-child")
        try #require(FileManager.default.isExecutableFile(atPath: child.path), "build the cross-check tools first (`swift build --package-path Tests/interop`, as tools/test does): \(child.path) is missing")
        var generator = SystemRandomNumberGenerator()
        var flushedPerRun: [Int] = []
        for run in 0..<20 {
            let process = Process()
            process.executableURL = child
            process.arguments = [folder.path, "w", "\(run)"]
            let out = Pipe()
            process.standardOutput = out
            process.standardError = FileHandle.nullDevice
            try process.run()
            // SIGKILL at a random moment after the run's first flush (the child keeps logging and flushing),
            // so a loaded machine, slow to reach that flush, still kills runs that promised something.
            let pid = process.processIdentifier
            let backstop = DispatchWorkItem { kill(pid, SIGKILL) }
            DispatchQueue.global().asyncAfter(deadline: .now() + 120, execute: backstop)
            var text = ""
            while !text.contains("flushed ") {
                let chunk = out.fileHandleForReading.availableData
                if chunk.isEmpty { break }
                text += String(decoding: chunk, as: UTF8.self)
            }
            usleep(UInt32.random(in: 0...300_000, using: &generator))
            kill(pid, SIGKILL)
            backstop.cancel()
            text += String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            #expect(process.terminationReason == .uncaughtSignal, "run \(run) exited by itself: \(process.terminationStatus)")
            let counts = text.split(separator: "\n").compactMap { line -> Int? in
                line.hasPrefix("flushed ") ? Int(line.dropFirst("flushed ".count)) : nil
            }
            flushedPerRun.append(counts.last ?? 0)
        }
        #expect(flushedPerRun.allSatisfy { $0 > 0 }, "a run was killed before it flushed: \(flushedPerRun)")

        let schema = try ModelSchema(features: [.numeric("run"), .numeric("index")], task: .classification(classes: ["a", "b"]))
        let found = LogReadBack.read(partition: "\(folder.path)/kill/w", schema: schema)
        #expect(found.problems.isEmpty, "\(found.problems)")
        var present = [Int](repeating: 0, count: 20)
        var lastRun = 0
        var violations: [String] = []
        for record in found.records {
            guard case .inference(let r) = record, case .number(let runValue) = r.features[0], case .number(let indexValue) = r.features[1] else {
                violations.append("unexpected record \(record)")
                continue
            }
            let run = Int(runValue)
            let index = Int(indexValue)
            if run < lastRun { violations.append("run \(run) after run \(lastRun)") }
            lastRun = run
            if index != present[run] { violations.append("run \(run): record \(index) where \(present[run]) was expected") }
            present[run] = max(present[run], index + 1)
            if r.requestID != (try? RequestID("\(run)-\(index)")) { violations.append("run \(run) index \(index): wrong request id") }
        }
        #expect(violations.isEmpty, "\(violations.prefix(5))")
        for run in 0..<20 {
            #expect(present[run] >= flushedPerRun[run], "run \(run): flushed \(flushedPerRun[run]) but only \(present[run]) read back")
        }
    }
}
