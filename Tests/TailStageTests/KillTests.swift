import Driftline
import DriftlineCore
import DriftlineStore
import Foundation
import Profiles
import Testing

/// Exactly once under SIGKILL: while this process keeps appending records (and delayed labels for
/// records logged thousands of records earlier), a real `driftline tail` process is killed at 20 random
/// moments and restarted each time. Its final merged profiles must equal those of one uninterrupted
/// `tail --once` over the same log: counts, categories and confusion counts exactly, moments to 1e-9,
/// quantiles within the sketches' error.
///
/// CI appends 60,000 records (DRIFTLINE_TAIL_KILL_RECORDS overrides; the full-size run used 1,000,000).
@Suite(.serialized) struct KillTests {
    static var driftline: URL {
        if let override = ProcessInfo.processInfo.environment["DRIFTLINE_BIN_DIR"] {
            return URL(fileURLWithPath: override).appendingPathComponent("driftline")
        }
        return URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
            .appendingPathComponent("driftline")
    }

    @Test func killedTailsEndWithTheProfilesOfAnUninterruptedRun() async throws {
        let fixture = try TailFixture()
        try #require(FileManager.default.isExecutableFile(atPath: Self.driftline.path), "build the package first")
        let total = Int(ProcessInfo.processInfo.environment["DRIFTLINE_TAIL_KILL_RECORDS"] ?? "") ?? 60_000
        let kills = 20
        let chunk = total / kills
        let logger = try fixture.logger(segmentBytes: 256 << 10)
        var generator = SystemRandomNumberGenerator()
        var killedWhileRunning = 0
        for run in 0..<kills {
            let tail = try Self.startTail(fixture)
            try Self.append(run * chunk..<(run + 1) * chunk, to: logger)
            try await logger.flush()
            usleep(UInt32.random(in: 100_000...1_500_000, using: &generator))
            kill(tail.processIdentifier, SIGKILL)
            tail.waitUntilExit()
            if tail.terminationReason == .uncaughtSignal { killedWhileRunning += 1 }
        }
        await logger.close()
        #expect(killedWhileRunning == kills, "a tail exited by itself before its kill")
        let progressBeforeCatchUp = try fixture.progress().count
        #expect(progressBeforeCatchUp > 0, "no tail run ever committed: the test proves nothing")

        try Self.runOnce(fixture.logPath, fixture.storePath)
        let reference = fixture.root + "/uninterrupted"
        try Self.runOnce(fixture.logPath, reference)

        let killed = try Store(root: fixture.storePath).profiles().merged()
        let clean = try Store(root: reference).profiles().merged()
        #expect(killed.count == clean.count)
        let cleanByKey = Dictionary(uniqueKeysWithValues: clean.map { ($0.key, $0) })
        var mismatches: [String] = []
        for profile in killed {
            guard let other = cleanByKey[profile.key] else {
                mismatches.append("\(profile.key): not in the uninterrupted run")
                continue
            }
            mismatches += Self.differences(profile, other)
        }
        let differenceCount = mismatches.count
        #expect(differenceCount == 0, "e.g. \(mismatches.prefix(5))")
        let labels = killed.filter { $0.key.columnName == ":confusion" }.reduce(Int64(0)) { $0 + $1.profile.count }
        #expect(labels == Int64(Self.labelCount(below: kills * chunk)))
    }

    /// Records i: x = i mod 97 (NaN every 50th), region by i, time 10 ms apart jittered back up to 300 ms;
    /// every 3rd record gets a delayed label, logged 2,000 records later (across restarts).
    static func append(_ range: Range<Int>, to logger: InferenceLogger) throws {
        let t0 = TailFixture.t0
        for i in range {
            let time = t0 + Int64(i) * 10_000 - Int64((i * 7919) % 300) * 1000
            let x: Double = i % 50 == 0 ? .nan : Double(i % 97) + 0.25
            let p = Double(i % 10) / 10
            let region: FeatureValue = i % 33 == 0 ? .missing : .string(["eu", "us", "apac"][i % 3])
            try logger.log(features: [.number(x), region],
                           probabilities: [p, (1 - p) / 2, (1 - p) / 2], requestID: try RequestID("r\(i)"),
                           latency: .microseconds(Int64(i % 1000)), timestamp: Timestamp(microsecondsSinceEpoch: time))
            let labelled = i - 2000
            if labelled >= 0, labelled % 3 == 0 {
                try logger.logLabel(requestID: try RequestID("r\(labelled)"), label: .className(["a", "b", "c"][(labelled / 3) % 3]),
                                    timestamp: Timestamp(microsecondsSinceEpoch: time))
            }
        }
    }

    static func labelCount(below n: Int) -> Int {
        (0..<max(0, n - 2000)).filter { $0 % 3 == 0 }.count
    }

    static func startTail(_ fixture: TailFixture) throws -> Process {
        let process = Process()
        process.executableURL = driftline
        process.arguments = ["tail", "--log", fixture.logPath, "--store", fixture.storePath, "--window", "1m", "--commit-interval", "150ms"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    static func runOnce(_ log: String, _ store: String) throws {
        let process = Process()
        process.executableURL = driftline
        process.arguments = ["tail", "--log", log, "--store", store, "--window", "1m", "--once"]
        process.standardOutput = FileHandle.nullDevice
        let err = Pipe()
        process.standardError = err
        try process.run()
        let text = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "tail --once failed: \(text)")
    }

    static func differences(_ a: MergedProfile, _ b: MergedProfile) -> [String] {
        var out: [String] = []
        let key = a.key.description
        if a.profile.count != b.profile.count || a.profile.missingCount != b.profile.missingCount {
            out.append("\(key): count \(a.profile.count)/\(a.profile.missingCount) vs \(b.profile.count)/\(b.profile.missingCount)")
        }
        if a.histogram != b.histogram { out.append("\(key): histograms differ") }
        switch (a.profile.numeric, b.profile.numeric, a.profile.categorical, b.profile.categorical) {
        case let (x?, y?, _, _):
            if x.moments.min != y.moments.min || x.moments.max != y.moments.max { out.append("\(key): min/max differ") }
            func close(_ u: Double, _ v: Double) -> Bool { abs(u - v) <= 1e-9 * max(1, abs(u), abs(v)) }
            if !close(x.moments.mean, y.moments.mean) || !close(x.moments.m2, y.moments.m2) {
                out.append("\(key): mean \(x.moments.mean) vs \(y.moments.mean), m2 \(x.moments.m2) vs \(y.moments.m2)")
            }
            if !x.sketch.isEmpty {
                for r in [0.05, 0.25, 0.5, 0.75, 0.95] {
                    guard let q = x.sketch.quantile(r) else { continue }
                    let lower = y.sketch.rank(q, inclusive: false), upper = y.sketch.rank(q, inclusive: true)
                    if r < lower - 0.03 || r > upper + 0.03 { out.append("\(key): quantile \(r) = \(q) has rank \(lower)…\(upper) in the other") }
                }
            }
        case let (_, _, x?, y?):
            if x != y { out.append("\(key): categories differ") }
        default:
            out.append("\(key): kinds differ")
        }
        return out
    }
}
