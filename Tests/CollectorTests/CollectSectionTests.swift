@testable import Collector
import Foundation
import PipelineFile
import Testing

@Suite struct CollectSectionTests {
    static let good = """
        collect:
          listen: 0.0.0.0:9000
          body_limit: 1MiB
          pair_timeout: 5s
          pair_capacity: 100
          endpoints:
            iris:
              inference_service: sklearn-iris
              model_version: 3
              features: [sepal_length, sepal_width, petal_length, petal_width]
              classes: [setosa, versicolor, virginica]
              output: class_index
            price:
              model_version: "2026.1"
              features: [rooms, city]
              categorical: [city]
        """

    @Test func theSectionParsesWithDefaultsAndFileOrder() throws {
        let config = try PipelineFile(yaml: Self.good).collectSection()
        #expect(config.listen == ListenAddress(host: "0.0.0.0", port: 9000))
        #expect(config.bodyLimitBytes == 1 << 20)
        #expect(config.pairTimeout == .seconds(5))
        #expect(config.pairCapacity == 100)
        #expect(config.endpoints.map(\.name) == ["iris", "price"])
        #expect(config.endpoints[0].modelVersion == "3")
        #expect(config.endpoints[0].effectiveOutput == .classIndex)
        #expect(config.endpoints[1].effectiveOutput == .value)
        try Collector.check(config, path: "test.yaml")
    }

    /// (document change, what the message must name)
    static let mistakes: [(String, String, String)] = [
        ("listen: 0.0.0.0:9000", "listn: 0.0.0.0:9000", "unknown key collect.listn"),
        ("      output: class_index", "      outptu: class_index", "unknown key collect.endpoints.iris.outptu"),
        ("      output: class_index", "      output: logits", "collect.endpoints.iris.output = logits"),
        ("body_limit: 1MiB", "body_limit: lots", "collect.body_limit = lots"),
        ("pair_timeout: 5s", "pair_timeout: -5s", "collect.pair_timeout = -5s"),
        ("pair_capacity: 100", "pair_capacity: 0", "collect.pair_capacity = 0"),
        ("listen: 0.0.0.0:9000", "listen: nowhere", "collect.listen = nowhere"),
        ("      model_version: 3\n", "", "collect.endpoints.iris.model_version is missing"),
        ("categorical: [city]", "categorical: [town]", "categorical lists town"),
        ("      output: class_index", "      output: value", "output = value is for a regression"),
        ("classes: [setosa, versicolor, virginica]", "classes: [setosa, setosa]", "class names must be unique"),
        ("features: [rooms, city]", "features: [rooms, rooms, city]", "feature names must be unique"),
        ("    price:", "    ../price:", "endpoint"),
    ]

    @Test(arguments: mistakes.indices)
    func mistakesAreRefusedNamingTheKey(_ index: Int) {
        let (from, to, expected) = Self.mistakes[index]
        let yaml = Self.good.replacingOccurrences(of: from, with: to)
        #expect(yaml != Self.good)
        var error: (any Error)?
        do {
            try Collector.check(try PipelineFile(yaml: yaml, path: "p.yaml").collectSection(), path: "p.yaml")
        } catch let problem {
            error = problem
        }
        let message = error.map { "\($0)" }
        #expect(message?.contains(expected) == true, "\(String(describing: error))")
        #expect(message?.hasPrefix("--config p.yaml: ") == true)
    }

    @Test func aFileWithoutACollectSectionSaysWhatToAdd() {
        #expect(throws: PipelineFileError.self) { try PipelineFile(yaml: "tail:\n  window: 5m\n").collectSection() }
        do {
            _ = try PipelineFile(yaml: "tail:\n  window: 5m\n", path: "x.yaml").collectSection()
        } catch {
            #expect(error.description.contains("no `collect:` section"))
        }
    }

    @Test func theRepositoryExampleIsValid() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../pipelines/pipeline.example.yaml").standardized.path
        let config = try PipelineFile(contentsOf: path).collectSection()
        try Collector.check(config, path: path)
        #expect(config.endpoints.map(\.name) == ["iris"])
    }

    @Test func sizesAndDurationsParse() {
        #expect(DurationText.parse("500ms") == .milliseconds(500))
        #expect(DurationText.parse("2m") == .seconds(120))
        #expect(DurationText.parse("1e20") == nil)
    }
}
