import Foundation
import PipelineFile
import Testing

@Suite struct PipelineFileTests {
    static let examplePath = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../pipelines/pipeline.example.yaml").standardized.path

    @Test func theRepositoryExampleIsReadWhole() throws {
        let file = try PipelineFile(contentsOf: Self.examplePath)
        #expect(file.analysis.defaults.bins == 20)
        #expect(file.analysis.defaults.driftDetectedPSI == 0.25)
        #expect(file.analysis.defaults.quality.modelStatus == "alert")
        #expect(file.analysis.endpoints.map(\.name) == ["iris", "fraud"])
        #expect(file.analysis.endpoints[1].settings.granularity == "day")
        #expect(file.tail.window == .seconds(300))
        #expect(file.tail.commitInterval == .seconds(60))
        #expect(file.tail.joinHorizon == .seconds(86_400))
        #expect(file.tail.endpoints == nil)
        #expect(file.tail.metricsHost == "127.0.0.1")
        let collect = try file.collectSection()
        #expect(collect.listen == ListenAddress(host: "127.0.0.1", port: 8480))
        #expect(collect.bodyLimitBytes == 8 << 20)
        #expect(collect.endpoints.map(\.name) == ["iris"])
        #expect(collect.endpoints[0].output == .classIndex)
    }

    @Test func anEmptyFileOrEmptySectionsMeanEveryDefault() throws {
        for yaml in ["", "# nothing\n", "tail:\n", "defaults:\nendpoints:\ntail:\n"] {
            let file = try PipelineFile(yaml: yaml)
            #expect(file == PipelineFile(), "\(yaml.debugDescription)")
            #expect(file.collect == nil)
        }
    }

    /// Every section is read with the same strictness: (document, what the message must name).
    static let mistakes: [(String, String)] = [
        ("tial:\n  window: 5m\n", "unknown key tial (known: defaults, endpoints, tail, collect)"),
        ("tail:\n  windw: 5m\n", "unknown key tail.windw"),
        ("defaults:\n  treshold: 1\n", "unknown key defaults.treshold"),
        ("defaults:\n  thresholds: {drift_detected_pvalu: 0.01}\n", "unknown key defaults.thresholds.drift_detected_pvalu"),
        ("endpoints:\n  iris: {binz: 3}\n", "unknown key endpoints.iris.binz"),
        ("collect:\n  listn: 127.0.0.1:1\n", "unknown key collect.listn"),
        ("collect:\n  endpoints:\n    e: {features: [a], model_version: 1, outptu: value}\n", "unknown key collect.endpoints.e.outptu"),
        ("tail:\n  window: 5m\n  window: 1m\n", "tail.window is given twice"),
        ("endpoints:\n  iris: {bins: 5}\n  iris: {bins: 6}\n", "endpoints.iris is given twice"),
        ("tail:\n  window: often\n", "tail.window = often: expected a positive duration"),
        ("tail:\n  window: [1]\n", "tail.window = a list: expected a duration"),
        ("tail:\n  commit_interval: -5s\n", "tail.commit_interval = -5s"),
        ("tail:\n  metrics_port: high\n", "tail.metrics_port = high: expected a whole number"),
        ("tail:\n  metrics_port: 70000\n", "tail.metrics_port = 70000: expected a port number"),
        ("tail: 3\n", "`tail` must be a mapping"),
        ("defaults:\n  bins: 1\n", "defaults.bins = 1: must lie in 2…1000"),
        ("defaults:\n  bins: many\n", "defaults.bins = many: expected a whole number"),
        ("defaults:\n  granularity: week\n", "defaults.granularity = week: must be hour or day"),
        ("defaults:\n  thresholds: {drift_detected_pvalue: 0}\n", "defaults.thresholds.drift_detected_pvalue = 0.0: must lie in (0, 1]"),
        ("defaults:\n  thresholds: {drift_detected_psi: .nan}\n", "defaults.thresholds.drift_detected_psi = .nan: expected a number"),
        ("defaults:\n  quality: {unseen_share: 0}\n", "defaults.quality.unseen_share = 0.0: must lie in (0, 1]"),
        ("defaults:\n  quality: {model_status: page}\n", "defaults.quality.model_status = page: must be warn or alert"),
        ("defaults:\n  quality: {minimum_count: 0}\n", "defaults.quality.minimum_count = 0: must be ≥ 1"),
        ("endpoints: [1, 2]\n", "endpoints = a list: expected a mapping of endpoint names"),
        ("collect:\n  body_limit: lots\n  endpoints: {e: {features: [a], model_version: 1}}\n", "collect.body_limit = lots"),
        ("collect:\n  pair_timeout: 40d\n  endpoints: {e: {features: [a], model_version: 1}}\n", "collect.pair_timeout = 40d"),
        ("collect:\n  endpoints: {e: {features: [a]}}\n", "collect.endpoints.e.model_version is missing"),
        ("collect:\n  listen: 8480\n", "collect.listen = 8480: expected a string"),
        ("[1, 2]\n", "the file must be a mapping"),
        ("tail: {window: 5m\n", "not valid YAML"),
    ]

    @Test(arguments: mistakes.indices)
    func everyMistakeIsRefusedNamingFileKeyAndValue(_ index: Int) {
        let (yaml, expected) = Self.mistakes[index]
        do {
            _ = try PipelineFile(yaml: yaml, path: "p.yaml")
            Issue.record("accepted: \(yaml.debugDescription)")
        } catch {
            #expect(error.description.hasPrefix("--config p.yaml: "), "\(error)")
            #expect(error.description.contains(expected), "\(error)")
        }
    }

    @Test func aMissingFileOrNonUTF8TextSaysSo() throws {
        #expect(throws: PipelineFileError.self) { try PipelineFile(contentsOf: "/nonexistent/pipeline.yaml") }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("pipeline-\(getpid()).yaml").path
        try Data([0x74, 0x61, 0x69, 0x6C, 0x3A, 0xFF, 0xFE]).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        do {
            _ = try PipelineFile(contentsOf: path)
            Issue.record("non-UTF-8 accepted")
        } catch {
            #expect(error.description.contains("not UTF-8"))
        }
    }

    @Test func versionsAreTakenAsWritten() throws {
        let file = try PipelineFile(yaml: """
            collect:
              endpoints:
                a: {features: [x], model_version: 1.0}
                b: {features: [x], model_version: 3}
                c: {features: [x], model_version: "2026.1"}
            """)
        #expect(try file.collectSection().endpoints.map(\.modelVersion) == ["1.0", "3", "2026.1"])
    }

    @Test func aCollectSectionIsRequiredOnlyByTheCollector() throws {
        let file = try PipelineFile(yaml: "tail:\n  window: 1m\n", path: "x.yaml")
        #expect(file.tail.window == .seconds(60))
        do {
            _ = try file.collectSection()
            Issue.record("no collect section accepted")
        } catch {
            #expect(error.description == "--config x.yaml: no `collect:` section; add one with the endpoints to collect (see pipelines/pipeline.example.yaml)")
        }
    }

    @Test func durationsParseOneWayForFlagsAndFiles() {
        #expect(DurationText.parse("500ms") == .milliseconds(500))
        #expect(DurationText.parse("5ms") == .milliseconds(5))
        #expect(DurationText.parse("30") == .seconds(30))
        #expect(DurationText.parse("2m") == .seconds(120))
        #expect(DurationText.parse("1.5h") == .seconds(5400))
        #expect(DurationText.parse("1d") == .seconds(86_400))
        for bad in ["", "m", "-1s", "1e20", "nan", "inf", "5 m", "5x"] { #expect(DurationText.parse(bad) == nil, "\(bad)") }
        #expect(DurationText.parse("2d", longest: .seconds(86_400)) == nil)
        for text in ["250ms", "90s", "5m", "2h", "1d"] {
            #expect(DurationText.text(DurationText.parse(text) ?? .zero) == text)
        }
    }
}
