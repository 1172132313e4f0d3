import Foundation
import Profiles
import Testing
@testable import BatchStage

/// Deterministic normal values (Box–Muller over a linear congruential generator).
func normals(_ n: Int, mean: Double = 0, sd: Double = 1, seed: UInt64) -> [Double] {
    var state = seed
    func uniform() -> Double {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return (Double(state >> 11) + 0.5) / Double(1 << 53)
    }
    return (0..<n).map { _ in mean + sd * (-2 * log(uniform())).squareRoot() * cos(2 * .pi * uniform()) }
}

func numericProfile(_ name: String, _ values: [Double], bins: ReferenceBins? = nil) throws -> ColumnProfile {
    var profile = ColumnProfile.numeric(name, bins: bins)
    for v in values { try profile.add(v) }
    return profile
}

func categoricalProfile(_ name: String, _ counts: [String: Int]) throws -> ColumnProfile {
    var profile = ColumnProfile.categorical(name)
    for (value, n) in counts.sorted(by: { $0.key < $1.key }) { for _ in 0..<n { try profile.add(category: value) } }
    return profile
}

let hour0 = AnalysisHour(containing: 1_795_000_000_000_000)

func reference(training: [Double], region: [String: Int]) throws -> ReferenceBaseline {
    let bins = try ReferenceBins(referenceID: "ref-1", trainingValues: training, binCount: 20)
    return ReferenceBaseline(referenceID: "ref-1",
                             columns: ["x": try numericProfile("x", training, bins: bins), "region": try categoricalProfile("region", region)],
                             bins: ["x": bins], classes: ["a", "b", "c"])
}

@Suite struct HourAnalysisTests {
    @Test func shiftedFeatureIsDetectedAndCleanOneIsNot() throws {
        let training = normals(5000, seed: 1)
        let ref = try reference(training: training, region: ["eu": 500, "us": 500])
        var hour = HourProfiles(endpoint: "m", modelVersion: "1", hour: hour0)
        try hour.merge(try numericProfile("x", normals(2000, mean: 1, seed: 2), bins: ref.bins["x"]))
        try hour.merge(try categoricalProfile("region", ["eu": 210, "us": 190]))
        let analysis = try HourAnalysis(hour: hour, previous: nil, reference: ref)
        let x = try #require(analysis.drift.first { $0.columnName == "x" })
        #expect(x.status == .driftDetected)
        #expect(x.baseline == .reference)
        #expect(abs((x.mean ?? 0) - 1) < 0.1)
        // The exact histogram is used: the actual counts sum to the values.
        #expect(x.comparison.actualBinCounts.reduce(0, +) == 2000)
        #expect(x.comparison.actualBinCounts.count == 20)
        let region = try #require(analysis.drift.first { $0.columnName == "region" })
        #expect(region.status == .noDrift)
        #expect(region.comparison.binLabels == ["eu", "us", "__unseen__"])
        #expect(analysis.performance.status == .driftDetected)
        #expect(analysis.performance.tvdSum != nil)
    }

    @Test func fewerThan100ValuesIsInsufficientDataNeverAnAlert() throws {
        let ref = try reference(training: normals(5000, seed: 3), region: ["eu": 500, "us": 500])
        var hour = HourProfiles(endpoint: "m", modelVersion: "1", hour: hour0)
        try hour.merge(try numericProfile("x", normals(99, mean: 5, seed: 4), bins: ref.bins["x"]))
        let analysis = try HourAnalysis(hour: hour, previous: nil, reference: ref)
        #expect(analysis.drift.allSatisfy { $0.status == .insufficientData })
        #expect(analysis.performance.status == .insufficientData)
    }

    @Test func newCategoryGoesToUnseen() throws {
        let ref = try reference(training: normals(1000, seed: 5), region: ["eu": 500, "us": 500])
        var hour = HourProfiles(endpoint: "m", modelVersion: "1", hour: hour0)
        try hour.merge(try categoricalProfile("region", ["eu": 300, "us": 300, "apac": 400]))
        let analysis = try HourAnalysis(hour: hour, previous: nil, reference: ref)
        let region = try #require(analysis.drift.first { $0.columnName == "region" })
        #expect(region.comparison.actualBinCounts == [300, 300, 400])
        #expect(region.status == .driftDetected)
        // TVD by hand: p = (.3, .3, .4), q = (.5, .5, 0) → ½(.2 + .2 + .4) = .4
        #expect(abs((region.comparison.distances?.tvd ?? 0) - 0.4) < 1e-12)
    }

    @Test func withoutReferenceThePreviousHourIsTheBaseline() throws {
        var previous = HourProfiles(endpoint: "m", modelVersion: "1", hour: hour0.previous)
        try previous.merge(try numericProfile("x", normals(3000, seed: 6)))
        var hour = HourProfiles(endpoint: "m", modelVersion: "1", hour: hour0)
        try hour.merge(try numericProfile("x", normals(3000, seed: 7)))
        let analysis = try HourAnalysis(hour: hour, previous: previous, reference: nil)
        #expect(analysis.drift.map(\.baseline) == [.previous])
        #expect(analysis.drift[0].status == .noDrift)
        #expect(analysis.drift[0].comparison.actualBinCounts.count == 20)
        #expect(analysis.performance.status == .noDrift)
        #expect(analysis.performance.tvdSum == nil)
    }

    @Test func classificationMetricsComeFromConfusionCounts() throws {
        var hour = HourProfiles(endpoint: "m", modelVersion: "1", hour: hour0)
        // 6 labelled: a|a ×3, b|a ×1, b|b ×1, c|b ×1 → accuracy 4/6.
        try hour.merge(try categoricalProfile(":confusion", ["a|a": 3, "b|a": 1, "b|b": 1, "c|b": 1]))
        try hour.merge(try categoricalProfile(":error", ["ok": 9, "timeout": 1]))
        try hour.merge(try categoricalProfile(":prediction", ["a": 5, "b": 4]))
        try hour.merge(try numericProfile(":pred1", [0.9, 0.7, 0.8]))
        for c in ["a", "b", "c"] { try hour.merge(try numericProfile(":proba:" + c, [0.3])) }
        let analysis = try HourAnalysis(hour: hour, previous: nil, reference: nil)
        let p = analysis.performance
        #expect(analysis.classes == ["a", "b", "c"])
        #expect(p.labeled == 6)
        #expect(abs((p.accuracy ?? 0) - 4.0 / 6) < 1e-12)
        // precision a = 3/4, b = 1/2, c = 0; recall a = 1, b = 1/2, c = 0
        #expect(abs((p.precisionMacro ?? 0) - (0.75 + 0.5) / 3) < 1e-12)
        #expect(abs((p.recallMacro ?? 0) - 1.5 / 3) < 1e-12)
        #expect(p.requests == 10)
        #expect(p.errors == 1)
        #expect(abs((p.errorRate ?? 0) - 0.1) < 1e-12)
        #expect(abs((p.meanPred1 ?? 0) - 0.8) < 1e-12)
        // Without a reference there is no calibration map, hence no estimate (mean :pred1 is not one).
        #expect(p.estimatedAccuracy == nil && analysis.estimateNote?.hasPrefix("no reference") == true)
        #expect(abs((p.predictionsPerSecond ?? 0) - 9.0 / 3600) < 1e-15)
    }

    @Test(arguments: [(Int64(0), "1970-01-01T00"), (1_795_003_000_000_000, "2026-11-18T11"), (-1, "1969-12-31T23")])
    func hourLabels(micros: Int64, label: String) {
        let hour = AnalysisHour(containing: micros)
        #expect(hour.label == label)
        #expect(hour.startMicroseconds <= micros && micros < hour.endMicroseconds)
    }
}
