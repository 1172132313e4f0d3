import DriftlineStore
import Foundation
import Profiles
import Testing
@testable import BatchStage

/// A performance row with no traffic (what a trend point of an hour without records is made from).
func emptyPerformance() -> PerformanceRow {
    PerformanceRow(endpoint: "", modelVersion: "", windowStartMicroseconds: 0, windowEndMicroseconds: 0, requests: 0, errors: 0,
                   predictionsPerSecond: 0, labeled: 0, driftStatus: DriftStatus.insufficientData.rawValue)
}

func sampleAnalysis() throws -> HourAnalysis {
    let ref = try reference(training: normals(3000, seed: 11), region: ["eu": 500, "us": 500])
    var hour = HourProfiles(endpoint: "iris shop", modelVersion: "3", hour: hour0)
    try hour.merge(try numericProfile("x", normals(1000, mean: 1, seed: 12), bins: ref.bins["x"]))
    try hour.merge(try categoricalProfile("region", ["eu": 100, "us": 100, "<apac>": 50]))
    try hour.merge(try categoricalProfile(":confusion", ["a|a": 80, "b|a": 20]))
    try hour.merge(try categoricalProfile(":error", ["ok": 250]))
    try hour.merge(try numericProfile(":latency_ms", (0..<250).map { Double($0) / 10 }))
    return try HourAnalysis(hour: hour, previous: nil, reference: ref)
}

@Suite struct ReportTests {
    @Test func jsonSummaryHoldsTheDriftRowsAndTrend() throws {
        let analysis = try sampleAnalysis()
        let earlier = HourReport.TrendPoint(hour: hour0.previous, performance: emptyPerformance())
        let tooOld = HourReport.TrendPoint(hour: AnalysisHour(containing: hour0.startMicroseconds - 30 * AnalysisHour.lengthMicroseconds), performance: emptyPerformance())
        let report = HourReport(analysis: analysis, trend: [tooOld, earlier])
        let object = try #require(try JSONSerialization.jsonObject(with: report.jsonData()) as? [String: Any])
        #expect(object["endpoint"] as? String == "iris shop")
        #expect(object["drift_status"] as? String == "drift_detected")
        let drift = try #require(object["drift"] as? [[String: Any]])
        #expect(drift.count == 2)
        #expect(drift.contains { $0["column"] as? String == "x" && $0["status"] as? String == "drift_detected" })
        let trend = try #require(object["trend"] as? [[String: Any]])
        #expect(trend.count == 2)
        let performance = try #require(object["performance"] as? [String: Any])
        #expect(performance["accuracy"] as? Double == 0.8)
    }

    /// A report read back (to re-render it with a new trend) holds the analysis' own `performance` row, window
    /// and all, the analysis' `drift` rows, and writes the same bytes again.
    @Test func aReportReadBackHoldsTheSameRowsAndWritesTheSameBytes() throws {
        for analysis in [try sampleAnalysis(), try HourAnalysis(hour: try HourEstimationTests().binaryHour(try HourEstimationTests().binaryReference(), xMean: 1.5),
                                                                 previous: nil, reference: try HourEstimationTests().binaryReference())] {
            let report = HourReport(analysis: analysis, trend: [HourReport.TrendPoint(hour: hour0.previous, performance: emptyPerformance())])
            let back = try HourReport.decode(report.jsonData())
            #expect(back.performance == analysis.performance)
            #expect(back.drift.map(\.row) == analysis.driftRows)
            #expect(back.estimateNote == analysis.estimateNote)
            #expect(back.jsonData() == report.jsonData())
            #expect(back.html() == report.html())
        }
    }

    /// A real report and one with the awkward cases (empty arrays, every optional nil, escapes, integral, tiny
    /// and huge doubles, non-finite bin counts) read back to the same report: Foundation's own JSON reader sees
    /// the same strings and numbers, and the report's reader gives back a report that writes the same bytes.
    /// (That the writer's format is byte for byte `JSONEncoder`'s is `JSONFoundationTests`' concern.)
    @Test func awkwardReportsReadBackToTheSameBytes() throws {
        let analysis = try sampleAnalysis()
        let earlier = HourReport.TrendPoint(hour: hour0.previous, performance: emptyPerformance())
        let real = HourReport(analysis: analysis, trend: [earlier])
        #expect(try HourReport.decode(real.jsonData()).jsonData() == real.jsonData())

        var odd = real
        odd.referenceId = nil
        odd.classes = []
        odd.trend = []
        odd.endpoint = "a/b \"c\" \\ \n\t\u{1}\u{1F} é日本"
        odd.performance = emptyPerformance()
        odd.performance.accuracy = 1
        odd.performance.mae = 1e-7
        odd.performance.rmse = 1.5e300
        odd.performance.predictionsPerSecond = -2.5
        odd.performance.estimatedAccuracy = 0.8125
        odd.performance.estimatedAccuracyLower = 0.79
        odd.performance.estimatedAccuracyUpper = 0.835
        odd.performance.estimatedPrecision = 0.5
        odd.performance.estimatedRecall = 0.25
        odd.performance.estimatedF1 = 1.0 / 3
        odd.performance.estimateReliable = false
        odd.estimateNote = "not reliable: \"x\" drifted"
        odd.performance.classNames = ["a", "b\"c"]
        odd.performance.classPrecision = [1, 0.1]
        odd.performance.classRecall = [0, 1e-9]
        odd.performance.classF1 = [0.5, 2.0 / 3]
        odd.performance.classSupport = [0, 12]
        odd.performance.confusionMatrix = [0, 0, 3, 9]
        odd.trend = [HourReport.TrendPoint(hour: hour0, performance: odd.performance)]
        if var first = odd.drift.first {
            first.binLabels = []
            first.actualBinCounts = [0, 1, 2.5, .infinity, -.infinity, .nan, 123456789012345680000]
            first.baselineBinCounts = []
            first.mean = nil
            first.tvd = 0.1 + 0.2
            odd.drift = [first, first]
        }
        let back = try HourReport.decode(odd.jsonData())
        #expect(back.jsonData() == odd.jsonData())
        #expect(back.endpoint == odd.endpoint && back.estimateNote == odd.estimateNote)
        #expect(back.performance.rmse == 1.5e300 && back.performance.mae == 1e-7 && back.performance.classNames == ["a", "b\"c"])
        let counts = try #require(back.drift.first?.actualBinCounts)
        #expect(counts[0...2] == [0, 1, 2.5] && counts[3] == .infinity && counts[4] == -.infinity && counts[5].isNaN)
        // −0 is written as `-0`, which JSON reads as the integer 0: it comes back as 0 (its sign is lost).
        var negativeZero = odd
        negativeZero.performance.predictionsPerSecond = -0.0
        #expect(try HourReport.decode(negativeZero.jsonData()).performance.predictionsPerSecond == 0)
        let foundation = try #require(try JSONSerialization.jsonObject(with: odd.jsonData()) as? [String: Any])
        #expect(foundation["endpoint"] as? String == odd.endpoint)
        #expect((foundation["performance"] as? [String: Any])?["rmse"] as? Double == 1.5e300)
    }

    /// A damaged report file is a typed error naming the member, not a crash (the run then draws the report anew).
    @Test func aDamagedReportIsATypedErrorNamingTheMember() throws {
        let report = HourReport(analysis: try sampleAnalysis(), trend: [])
        var text = String(decoding: report.jsonData(), as: UTF8.self)
        text = text.replacingOccurrences(of: "\"requests\" : ", with: "\"requests\" : \"many\", \"was\" : ")
        #expect(throws: HourReport.ReadError.self) { try HourReport.decode(Data(text.utf8)) }
        do {
            _ = try HourReport.decode(Data(text.utf8))
        } catch {
            #expect(error.description.contains("report.performance.requests"))
        }
        #expect(throws: HourReport.ReadError.self) { try HourReport.decode(Data("{\"endpoint\": ".utf8)) }
        #expect(throws: HourReport.ReadError.self) { try HourReport.decode(Data("[]".utf8)) }
    }

    @Test func htmlIsSelfContainedAndEscaped() throws {
        let html = HourReport(analysis: try sampleAnalysis(), trend: []).html()
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(!html.contains("http://") || !html.contains("src=\"http"))
        #expect(!html.contains("<script"))
        // Drift bins an unseen category as __unseen__; the quality table names it, escaped, never raw.
        #expect(!html.contains("<apac>"))
        #expect(html.contains("&lt;apac&gt;"))
        #expect(html.contains("iris shop"))
        #expect(html.contains("<tr class=\"drift_detected\"><td>x</td>"))
        #expect(html.components(separatedBy: "<svg").count - 1 == 3 + 2)   // 3 trend charts, 2 histograms
    }

    @Test func prometheusTextHasHelpTypeAndEscapedLabels() throws {
        let text = PrometheusTextfile.text(of: [try sampleAnalysis()])
        #expect(text.contains("# TYPE driftline_feature_drift_score gauge"))
        #expect(text.contains("driftline_feature_drift_status{endpoint=\"iris shop\",model_version=\"3\",column=\"x\",baseline=\"reference\"} 3"))
        #expect(text.contains("driftline_model_accuracy{endpoint=\"iris shop\",model_version=\"3\"} 0.8"))
        #expect(text.hasSuffix("\n"))
    }

    /// Per feature (reference baseline, no reserved columns) TVD, Hellinger, KLD and PSI equal the drift row's;
    /// the model gauges the rules need are there; the last success carries its shard; the text is sorted.
    @Test func prometheusTextHasPerFeatureDistancesAndTheAlertingGauges() throws {
        let analysis = try sampleAnalysis()
        let success = PrometheusTextfile.LastSuccess(shard: "1/3", seconds: 1_764_000_000)
        let text = PrometheusTextfile.text(performance: [analysis.performance], drift: analysis.driftRows.reversed(),
                                           referenceAccuracy: ["iris shop\u{0}3": 0.95], lastSuccess: success)
        let x = try #require(analysis.driftRows.first { $0.columnName == "x" && $0.baseline == "reference" })
        let model = "endpoint=\"iris shop\",model_version=\"3\""
        for (name, value) in [("tvd", x.tvd), ("hellinger", x.hellinger), ("kld", x.kld), ("psi", x.psi)] {
            let v = try #require(value)
            #expect(text.contains("driftline_feature_\(name){\(model),feature=\"x\"} \(v)\n"), "\(name)")
        }
        #expect(!text.contains("feature=\":"))
        #expect(text.contains("driftline_feature_tvd{\(model),feature=\"region\"}"))
        #expect(text.contains("driftline_model_reference_accuracy{\(model)} 0.95\n"))
        #expect(text.contains("driftline_model_labeled{\(model)} 100\n"))
        #expect(text.contains("driftline_model_requests{\(model)} 250\n"))
        #expect(text.contains("driftline_model_latency_p99_seconds{\(model)} "))
        #expect(text.contains("driftline_batch_last_success_timestamp_seconds{shard=\"1/3\"} 1764000000\n"))
        // The drift rows' order in does not change the bytes out.
        #expect(text == PrometheusTextfile.text(performance: [analysis.performance], drift: analysis.driftRows,
                                                referenceAccuracy: ["iris shop\u{0}3": 0.95], lastSuccess: success))
        let features = text.split(separator: "\n").filter { $0.hasPrefix("driftline_feature_psi{") }
        #expect(features == features.sorted())
    }

    @Test func referenceAccuracyComesFromItsConfusionCounts() throws {
        let confusion = try categoricalProfile(":confusion", ["a|a": 90, "b|b": 5, "a|b": 4, "b|a": 1])
        let labelled = ReferenceBaseline(referenceID: "r", columns: [":confusion": confusion], bins: [:], classes: ["a", "b"])
        #expect(labelled.accuracy == 0.95)
        #expect(ReferenceBaseline(referenceID: "r", columns: [:], bins: [:], classes: ["a", "b"]).accuracy == nil)
        #expect(ReferenceBaseline(referenceID: "r", columns: [":confusion": confusion], bins: [:], classes: []).accuracy == nil)
    }

    @Test func anodotMetricsFollowTheTwoPointZeroShape() throws {
        let metrics = AnodotMetrics.metrics(of: [try sampleAnalysis()])
        let array = try #require(try JSONSerialization.jsonObject(with: AnodotMetrics.jsonData(metrics)) as? [[String: Any]])
        #expect(!array.isEmpty)
        for object in array {
            let properties = try #require(object["properties"] as? [String: String])
            #expect(properties["what"] != nil && properties["target_type"] == "gauge")
            #expect(properties.values.allSatisfy { !$0.contains(".") && !$0.contains(" ") })
            #expect(object["timestamp"] as? Int64 == hour0.startMicroseconds / 1_000_000)
            #expect(object["value"] is Double)
        }
        #expect(array.contains { ($0["properties"] as? [String: String])?["feature"] == "x" && ($0["properties"] as? [String: String])?["what"] == "drift_score" })
    }

    @Test func exampleConfigParsesAndOverrides() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("pipelines/pipeline.example.yaml").path
        let config = try EndpointSettings(contentsOf: path)
        #expect(config.defaults.binCount == 20)
        #expect(config.settings(for: "iris").thresholds.detectedPSI == 0.2)
        #expect(config.settings(for: "iris").thresholds.minimumCount == 100)
        #expect(config.settings(for: "fraud").binCount == 10)
        #expect(config.settings(for: "fraud").thresholds.minimumCount == 500)
        #expect(config.settings(for: "other") == AnalysisSettings())
    }

    @Test(arguments: ["defaults: {bins: 1}", "defaults: {thresholds: {drift_detected_pvalue: 0}}", "endpoints: [1, 2]",
                      "defaults: {thresholds: {possible_drift_psi: 0.5}}"])
    func badConfigsAreRejectedWithTheKey(yaml: String) {
        #expect(throws: BatchError.self) { try EndpointSettings(yaml: yaml) }
    }

    @Test(arguments: [("default: {bins: 10}", "unknown key default "), ("defaults: {treshold: 1}", "unknown key defaults.treshold "),
                      ("defaults: {thresholds: {drift_detected_pvalu: 0.01}}", "unknown key defaults.thresholds.drift_detected_pvalu "),
                      ("endpoints: {iris: {binz: 3}}", "unknown key endpoints.iris.binz ")])
    func unknownKeysAreRefusedByName(yaml: String, named: String) {
        do {
            _ = try EndpointSettings(yaml: yaml)
            Issue.record("\(yaml) was accepted")
        } catch {
            #expect(error.description.contains(named), "\(error)")
        }
    }

    @Test func outputFilesAreReplacedAtomicallyWithTheProductsModes() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("batch-atomic-\(UUID())")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("textfiles/a.prom").path
        try writeOutput(Data("one\n".utf8), to: path)
        try writeOutput(Data("two\n".utf8), to: path)
        #expect(String(decoding: try Data(contentsOf: URL(fileURLWithPath: path)), as: UTF8.self) == "two\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path + "/textfiles") == ["a.prom"])
        // 0640 and 0750 (AtomicFile, which this replaced, made 0644 files and umask-dependent folders).
        let file = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        let created = try FileManager.default.attributesOfItem(atPath: folder.path + "/textfiles")[.posixPermissions] as? Int
        #expect(file == 0o640 && created == 0o750)
    }
}
