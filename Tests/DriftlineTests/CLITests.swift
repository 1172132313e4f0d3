import Driftline
import DriftlineLog
import Foundation
import Testing

/// Runs the built `driftline` executable as a real process.
@Suite struct CLITests {
    static var driftline: URL { BuiltProducts.url("driftline") }

    static func jsonLines(_ text: String) -> [[String: Any]] {
        text.split(separator: "\n").compactMap { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
        }
    }

    @Test func simulateThenInspectShowsEveryRecordAndIsDeterministicForASeed() throws {
        let folder = TemporaryFolder("driftline-cli")
        defer { folder.remove() }
        try #require(FileManager.default.isExecutableFile(atPath: Self.driftline.path), "build the package first")
        for copy in ["a", "b"] {
            let run = try runProcess(Self.driftline, ["simulate", "--log", "\(folder.path)/\(copy)", "--endpoint", "iris", "--records", "3000",
                                                      "--seed", "42", "--start", "2026-11-23T10:00:00Z"])
            #expect(run.status == 0, "\(run.err)")
            #expect(run.out.contains("logged 3000 inferences"))
        }
        // Same seed and start: the same records (batch boundaries depend on the writer thread's timing).
        let schema = try ModelSchema(features: ["sepal_length", "sepal_width", "petal_length", "petal_width"].map { .numeric($0) },
                                     task: .classification(classes: ["setosa", "versicolor", "virginica"]))
        let a = LogReadBack.read(partition: "\(folder.path)/a/iris/simulate", schema: schema).records
        let b = LogReadBack.read(partition: "\(folder.path)/b/iris/simulate", schema: schema).records
        #expect(a.count > 3000)
        #expect(a == b, "the same seed and start must give the same records")

        let inspect = try runProcess(Self.driftline, ["inspect", "--log", "\(folder.path)/a", "--endpoint", "iris", "--json"])
        #expect(inspect.status == 0, "\(inspect.err)")
        let objects = Self.jsonLines(inspect.out)
        let all = objects.filter { $0["type"] as? String == "inference" }
        // About 0.5 % of requests fail: logged with an error code instead of probabilities.
        let failed = all.filter { $0["error"] != nil }
        #expect(failed.count < 60 && failed.allSatisfy { ["timeout", "invalid_input"].contains($0["error"] as? String ?? "") })
        let inferences = all.filter { $0["error"] == nil }
        let labels = objects.filter { $0["type"] as? String == "label" }
        let batches = objects.filter { $0["type"] as? String == "batch" }
        #expect(all.count == 3000)
        #expect(labels.count > 600 && labels.count < 1200, "about 30 % of 3000 get a label, got \(labels.count)")
        #expect(batches.reduce(0) { $0 + ($1["count"] as? Int ?? 0) } == 3000 + labels.count)
        let classes: Set<String> = ["setosa", "versicolor", "virginica"]
        for record in inferences {
            let p = record["probabilities"] as? [String: Double] ?? [:]
            #expect(Set(p.keys) == classes)
            #expect(abs(p.values.reduce(0, +) - 1) < 1e-9)
            #expect((record["features"] as? [String: Double])?.count == 4)
            #expect(classes.contains(record["prediction"] as? String ?? ""))
        }
        let ids = Set(all.compactMap { $0["request_id"] as? String })
        #expect(ids.count == 3000)
        #expect(labels.allSatisfy { ids.contains($0["request_id"] as? String ?? "") && classes.contains($0["label"] as? String ?? "") })
        #expect(all.first?["timestamp"] as? String == "2026-11-23T10:00:00.000000Z")

        let text = try runProcess(Self.driftline, ["inspect", "--log", "\(folder.path)/a"])
        #expect(text.status == 0)
        #expect(text.out.contains("batch iris/simulate offset 0"))
        #expect(text.out.contains("1 partitions, \(batches.count) batches, \(3000 + labels.count) records"))
    }

    @Test func ingestReadsQuotedFieldsCRLFAndMissingCellsAndReportsABadRowWithLineAndColumn() throws {
        let folder = TemporaryFolder("driftline-cli")
        defer { folder.remove() }
        let csv = "\(folder.path)/scored.csv"
        let rows = [
            "id,ts,amount,country,p_legit,p_fraud,y,ms",
            "r1,2026-11-23T10:00:00Z,12.5,fr,0.9,0.1,legit,1.5",
            "\"r,2\",1763892000.25,,\"F\"\"R\",0.2,0.8,,2",   // quoted comma and quote, empty amount and label
            "r3,2026-11-23T10:00:02Z,abc,de,0.5,0.5,fraud,1",  // bad: amount is not a number
            "r4,2026-11-23T11:00:03+01:00,7,\"multi\r\nline\",0.6,0.4,fraud,",  // a quoted CRLF inside a field
            "r5,2026-11-23T10:00:04Z,1,es,0.7,0.7,legit,1",    // bad: probabilities sum to 1.4
        ]
        try Data(rows.joined(separator: "\r\n").appending("\r\n").utf8).write(to: URL(fileURLWithPath: csv))
        let run = try runProcess(Self.driftline, [
            "ingest", "--log", "\(folder.path)/log", "--endpoint", "fraud", "--model-version", "7", "--csv", csv,
            "--features", "amount,country", "--categorical", "country", "--classes", "legit,fraud", "--proba-columns", "p_legit,p_fraud",
            "--threshold", "0.3", "--label-column", "y", "--timestamp-column", "ts", "--request-id-column", "id", "--latency-column", "ms",
            "--writer-id", "backfill",
        ])
        #expect(run.status == 2, "stdout: \(run.out) stderr: \(run.err)")
        #expect(run.err.contains("scored.csv:4: column amount:"), "\(run.err)")
        #expect(run.err.contains("scored.csv:7: column p_legit,p_fraud:"), "\(run.err)")
        #expect(run.out.contains("ingested 3 records"))

        let schema = try ModelSchema(features: [.numeric("amount"), .categorical("country")],
                                     task: .classification(classes: ["legit", "fraud"], threshold: 0.3))
        let found = LogReadBack.read(partition: "\(folder.path)/log/fraud/backfill", schema: schema)
        let expected: [LogRecord] = [
            .inference(InferenceRecord(timestamp: Timestamp(microsecondsSinceEpoch: 1_763_892_000_000_000 + 86_400 * 365 * 1_000_000),
                                       requestID: try RequestID("r1"), features: [12.5, "fr"], outcome: .probabilities([0.9, 0.1]),
                                       latencyMicroseconds: 1500, label: .className("legit"))),
            .inference(InferenceRecord(timestamp: Timestamp(microsecondsSinceEpoch: 1_763_892_000_250_000), requestID: try RequestID("r,2"),
                                       features: [.missing, "F\"R"], outcome: .probabilities([0.2, 0.8]), latencyMicroseconds: 2000)),
            .inference(InferenceRecord(timestamp: Timestamp(microsecondsSinceEpoch: 1_795_428_003_000_000), requestID: try RequestID("r4"),
                                       features: [7, "multi\r\nline"], outcome: .probabilities([0.6, 0.4]), latencyMicroseconds: 0,
                                       label: .className("fraud"))),
        ]
        #expect(found.records == expected)

        // Delayed labels for the same endpoint: the schema comes from the log.
        let labels = "\(folder.path)/labels.csv"
        try Data("id,y,ts\nr1,fraud,2026-11-24T00:00:00Z\nr9,unknown,2026-11-24T00:00:00Z\n\"r,2\",legit,1795478400\n".utf8)
            .write(to: URL(fileURLWithPath: labels))
        let labelRun = try runProcess(Self.driftline, [
            "ingest", "--labels", "--log", "\(folder.path)/log", "--endpoint", "fraud", "--csv", labels,
            "--request-id-column", "id", "--label-column", "y", "--timestamp-column", "ts", "--writer-id", "labels",
        ])
        #expect(labelRun.status == 2)
        #expect(labelRun.err.contains("labels.csv:3: column y:"), "\(labelRun.err)")
        let labelRecords = LogReadBack.read(partition: "\(folder.path)/log/fraud/labels", schema: schema).records
        #expect(labelRecords == [
            .label(LabelRecord(timestamp: Timestamp(microsecondsSinceEpoch: 1_795_478_400_000_000), requestID: try RequestID("r1"), label: .className("fraud"))),
            .label(LabelRecord(timestamp: Timestamp(microsecondsSinceEpoch: 1_795_478_400_000_000), requestID: try RequestID("r,2"), label: .className("legit"))),
        ])
    }

    @Test func ingestRegressionAndFlagErrors() throws {
        let folder = TemporaryFolder("driftline-cli")
        defer { folder.remove() }
        let csv = "\(folder.path)/price.csv"
        try Data("rooms,city,pred,truth\n3,paris,250000.5,260000\n,lyon,90000,\n".utf8).write(to: URL(fileURLWithPath: csv))
        let run = try runProcess(Self.driftline, [
            "ingest", "--log", "\(folder.path)/log", "--endpoint", "price", "--model-version", "1", "--csv", csv,
            "--features", "rooms,city", "--categorical", "city", "--prediction-column", "pred", "--label-column", "truth", "--writer-id", "w",
        ])
        #expect(run.status == 0, "\(run.err)")
        let schema = try ModelSchema(features: [.numeric("rooms"), .categorical("city")], task: .regression)
        let records = LogReadBack.read(partition: "\(folder.path)/log/price/w", schema: schema).records
        #expect(records.count == 2)
        if case .inference(let first)? = records.first {
            #expect(first.outcome == .prediction(250000.5))
            #expect(first.label == .value(260000))
        }
        if case .inference(let second)? = records.last {
            #expect(second.features == [.missing, "lyon"])
            #expect(second.label == nil)
        }
        // Input errors are caught by validate(), naming the flag; exit code 64.
        let both = try runProcess(Self.driftline, ["ingest", "--log", folder.path, "--endpoint", "price", "--model-version", "1", "--csv", csv,
                                                   "--features", "rooms", "--classes", "a,b", "--proba-columns", "pa,pb", "--prediction-column", "pred"])
        #expect(both.status == 64)
        #expect(both.err.contains("not both"))
        let arity = try runProcess(Self.driftline, ["ingest", "--log", folder.path, "--endpoint", "price", "--model-version", "1", "--csv", csv,
                                                    "--features", "rooms", "--classes", "a,b,c", "--proba-columns", "pa,pb"])
        #expect(arity.status == 64)
        #expect(arity.err.contains("--proba-columns"))
        let badEndpoint = try runProcess(Self.driftline, ["ingest", "--log", folder.path, "--endpoint", "../x", "--model-version", "1", "--csv", csv,
                                                          "--features", "rooms,city", "--prediction-column", "pred"])
        #expect(badEndpoint.status != 0)
        #expect(badEndpoint.err.contains("endpoint"))
    }
}

@Suite struct InspectFollowTests {
    /// `inspect --follow` prints records as a logger appends them, in a partition created after it started.
    @Test func followPrintsNewRecordsOfANewPartition() async throws {
        let folder = TemporaryFolder("driftline-follow")
        defer { folder.remove() }
        let process = Process()
        process.executableURL = CLITests.driftline
        process.arguments = ["inspect", "--log", folder.path, "--follow", "--json"]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { process.terminate() } }
        let output = LockedData()
        let reader = Thread {
            var all = Data()
            while true {
                let chunk = out.fileHandleForReading.availableData
                if chunk.isEmpty { break }
                all.append(chunk)
                output.set(all)
            }
        }
        reader.start()

        let logger = try InferenceLogger(directory: folder.path, endpoint: "iris", modelVersion: "3", schema: Schemas.iris,
                                         options: .init(writerID: "live"))
        for i in 0..<50 {
            try logger.log(features: [5.1, .number(Double(i)), "eu"], probabilities: [0.8, 0.1, 0.1], requestID: try RequestID("live-\(i)"))
        }
        try await logger.flush()
        let deadline = Date().addingTimeInterval(5)
        var count = 0
        while Date() < deadline {
            count = String(decoding: output.value, as: UTF8.self).split(separator: "\n").filter { $0.contains("\"type\":\"inference\"") }.count
            if count >= 50 { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(count == 50)
        #expect(String(decoding: output.value, as: UTF8.self).contains("\"request_id\":\"live-49\""))
        await logger.close()
    }
}
