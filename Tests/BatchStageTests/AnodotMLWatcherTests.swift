import Foundation
import Profiles
import Testing
@testable import BatchStage

/// The MLWatcher-named export: the properties its agent sends and its statistics per bucket, computed
/// here from the raw values the profiles were built from.
@Suite struct AnodotMLWatcherTests {
    let x = normals(1000, mean: 1, seed: 21)
    let pred1 = (0..<250).map { 0.5 + Double($0 % 50) / 100 }

    func analysis() throws -> HourAnalysis {
        let ref = try reference(training: normals(3000, seed: 11), region: ["eu": 500, "us": 500])
        var hour = HourProfiles(endpoint: "iris shop", modelVersion: "3", hour: hour0)
        try hour.merge(try numericProfile("x", x, bins: ref.bins["x"]))
        try hour.merge(try categoricalProfile("region", ["eu": 100, "us": 100, "ap.ac": 50]))
        try hour.merge(try categoricalProfile(":prediction", ["a": 150, "b": 100]))
        try hour.merge(try numericProfile(":pred1", pred1))
        try hour.merge(try numericProfile(":spread12", pred1.map { $0 - 0.4 }))
        try hour.merge(try categoricalProfile(":confusion", ["a|a": 80, "b|a": 20]))
        try hour.merge(try categoricalProfile(":error", ["ok": 250]))
        return try HourAnalysis(hour: hour, previous: nil, reference: ref)
    }

    func find(_ metrics: [AnodotMetrics.Metric], _ match: [String: String]) throws -> AnodotMetrics.Metric {
        let found = metrics.filter { m in match.allSatisfy { m.properties[$0.key] == $0.value } }
        try #require(found.count == 1, "\(match): \(found.count) points")
        return found[0]
    }

    @Test func everyPointCarriesMLWatchersProperties() throws {
        let metrics = AnodotMetrics.metrics(of: [try analysis()], format: .mlwatcher)
        let allowed: Set = ["what", "agent_id", "ver", "model_version", "target_type", "feat_name", "class_name", "stat", "feat_value", "class_label"]
        for m in metrics {
            #expect(m.properties["agent_id"] == "iris_shop" && m.properties["ver"] == "1" && m.properties["model_version"] == "3")
            #expect(["gauge", "counter"].contains(m.properties["target_type"]))
            #expect(Set(m.properties.keys).isSubset(of: allowed))
            #expect(m.properties.values.allSatisfy { !$0.isEmpty && !$0.contains(".") && !$0.contains(" ") && !$0.contains("=") })
            #expect(m.timestamp == hour0.startMicroseconds / 1_000_000)
        }
        // No two points share all their properties (Anodot would merge them).
        #expect(Set(metrics.map { $0.properties }).count == metrics.count)
        let whats = Set(metrics.compactMap { $0.properties["what"] })
        #expect(whats == ["feature_value", "feature_count", "feature_freq", "buffer_count", "prediction_count", "prediction_freq",
                          "max_prediction_proba", "spread12_prediction_proba", "accuracy", "precision", "recall", "f1"])
        // JSON: the 2.0 shape.
        let array = try #require(try JSONSerialization.jsonObject(with: AnodotMetrics.jsonData(metrics)) as? [[String: Any]])
        #expect(Set(array[0].keys) == ["properties", "tags", "timestamp", "value"])
    }

    @Test func numericFeatureStatisticsMatchTheRawValues() throws {
        let metrics = AnodotMetrics.metrics(of: [try analysis()], format: .mlwatcher)
        let sorted = x.sorted()
        let n = Double(x.count)
        let mean = x.reduce(0, +) / n
        let std = (x.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / n).squareRoot()
        func stat(_ name: String) throws -> Double {
            try find(metrics, ["what": "feature_value", "feat_name": "x", "stat": name]).value
        }
        #expect(abs(try stat("mean") - mean) < 1e-9)
        #expect(abs(try stat("std") - std) < 1e-9)
        #expect(abs(try stat("range") - (sorted[sorted.count - 1] - sorted[0])) < 1e-12)
        // Quartiles from the KLL sketch: within 2 % of rank of the exact ones (exact here: n < the sketch's k).
        for (name, rank) in [("q25", 0.25), ("q50", 0.5), ("median", 0.5), ("q75", 0.75)] {
            let value = try stat(name)
            let position = Double(sorted.firstIndex { $0 >= value } ?? sorted.count) / n
            #expect(abs(position - rank) <= 0.02, "\(name) \(value) at rank \(position)")
        }
        #expect(abs(try stat("iqr") - (try stat("q75") - stat("q25"))) < 1e-12)
        #expect(try find(metrics, ["what": "feature_value", "feat_name": "x", "stat": "mean"]).properties["target_type"] == "gauge")
    }

    @Test func categoriesPredictionsAndLabelsPerClass() throws {
        let metrics = AnodotMetrics.metrics(of: [try analysis()], format: .mlwatcher)
        let apac = try find(metrics, ["what": "feature_count", "feat_name": "region", "feat_value": "ap_ac"])
        #expect(apac.value == 50 && apac.properties["target_type"] == "counter")
        #expect(try find(metrics, ["what": "feature_freq", "feat_name": "region", "feat_value": "eu"]).value == 0.4)
        #expect(try find(metrics, ["what": "buffer_count"]).value == 250)
        // Classes by their index in the model's classes, zero counts included (c was never predicted).
        #expect(try find(metrics, ["what": "prediction_count", "class_name": "class_0"]).value == 150)
        #expect(try find(metrics, ["what": "prediction_freq", "class_name": "class_1"]).value == 0.4)
        #expect(try find(metrics, ["what": "prediction_count", "class_name": "class_2"]).properties["class_label"] == "c")
        #expect(try find(metrics, ["what": "prediction_count", "class_name": "class_2"]).value == 0)
        let mean1 = pred1.reduce(0, +) / Double(pred1.count)
        #expect(abs(try find(metrics, ["what": "max_prediction_proba", "stat": "mean"]).value - mean1) < 1e-9)
        #expect(abs(try find(metrics, ["what": "spread12_prediction_proba", "stat": "mean"]).value - (mean1 - 0.4)) < 1e-9)
        // Labels a→a 80, b→a 20: one-vs-rest accuracy, precision, recall, F1 per class.
        #expect(try find(metrics, ["what": "accuracy", "class_name": "class_0"]).value == 0.8)
        #expect(try find(metrics, ["what": "accuracy", "class_name": "class_2"]).value == 1)
        #expect(try find(metrics, ["what": "precision", "class_name": "class_0"]).value == 0.8)
        #expect(try find(metrics, ["what": "recall", "class_name": "class_1"]).value == 0)
        #expect(abs(try find(metrics, ["what": "f1", "class_name": "class_0"]).value - 2 * 0.8 / 1.8) < 1e-12)
    }

    @Test func pushRefusesABadURLOrAnEmptyToken() {
        #expect(throws: BatchError.self) { try AnodotPush(url: "api.anodot.com", token: "t") }
        #expect(throws: BatchError.self) { try AnodotPush(url: "https://api.anodot.com?x=1", token: "t") }
        #expect(throws: BatchError.self) { try AnodotPush(url: "https://api.anodot.com", token: "") }
        #expect((try? AnodotPush(url: "https://api.anodot.com/", token: "a+b"))?.endpoint == "https://api.anodot.com/api/v1/metrics")
        #expect((try? AnodotPush(url: "https://api.anodot.com/", token: "a+b"))?.requestURL.absoluteString
                == "https://api.anodot.com/api/v1/metrics?token=a%2Bb&protocol=anodot20")
    }
}
