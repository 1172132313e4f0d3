import Foundation
import Profiles
import Testing
@testable import BatchStage

/// Golden files of what an analysed hour becomes: the report's JSON and the `drift`/`performance` rows, from
/// fixed profiles (the seeded samples of ``ReportTests`` and ``HourEstimationTests``). A refactor of the
/// analysis, its rows or the report must leave them byte for byte unchanged; a change that is meant names
/// itself by regenerating them: `DRIFTLINE_UPDATE_GOLDEN=1 swift test --filter GoldenReportTests`, and the
/// diff of `Tests/golden/` goes into the commit.
@Suite struct GoldenReportTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("golden")

    func check(_ text: String, _ name: String) throws {
        let url = Self.folder.appendingPathComponent(name)
        if ProcessInfo.processInfo.environment["DRIFTLINE_UPDATE_GOLDEN"] == "1" {
            try FileManager.default.createDirectory(at: Self.folder, withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
            return
        }
        let expected = try String(contentsOf: url, encoding: .utf8)
        if text != expected {
            let a = text.split(separator: "\n", omittingEmptySubsequences: false)
            let b = expected.split(separator: "\n", omittingEmptySubsequences: false)
            let line = Array(zip(a, b)).firstIndex { $0.0 != $0.1 } ?? min(a.count, b.count)
            Issue.record("\(name) differs from its golden file at line \(line + 1): got \(line < a.count ? String(a[line]) : "<end>"), want \(line < b.count ? String(b[line]) : "<end>")")
        }
    }

    /// The rows as the tables get them, one `dump` per row (every field, doubles in shortest round-trip form).
    func rowsText(_ analysis: HourAnalysis) -> String {
        var out = ""
        dump(analysis.performance, to: &out)
        for row in analysis.driftRows { dump(row, to: &out) }
        return out
    }

    @Test func classifierHourWithTrend() throws {
        let analysis = try sampleAnalysis()
        let earlier = HourReport.TrendPoint(hour: hour0.previous, performance: emptyPerformance())
        let report = HourReport(analysis: analysis, trend: [earlier])
        try check(String(decoding: report.jsonData(), as: UTF8.self), "report-classifier.json")
        try check(rowsText(analysis), "rows-classifier.txt")
    }

    @Test func binaryHourWithCalibratedEstimate() throws {
        let suite = HourEstimationTests()
        let reference = try suite.binaryReference()
        let analysis = try HourAnalysis(hour: try suite.binaryHour(reference, xMean: 1.5), previous: nil, reference: reference)
        let report = HourReport(analysis: analysis, trend: [])
        try check(String(decoding: report.jsonData(), as: UTF8.self), "report-binary-estimate.json")
        try check(rowsText(analysis), "rows-binary-estimate.txt")
    }
}
