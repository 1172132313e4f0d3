import Foundation
import Profiles
import Testing
@testable import BatchStage

/// The label-free estimate of an analysed hour (README "Estimated accuracy").
@Suite struct HourEstimationTests {
    /// A binary model (`no`, `yes`, threshold 0.5) whose reference has the map of `:proba:yes` and a feature `x`.
    func binaryReference() throws -> ReferenceBaseline {
        let probabilities = (0..<4000).map { Double($0 % 100) / 100 + 0.005 }
        let bins = try ReferenceBins(referenceID: "ref-b", trainingValues: probabilities, binCount: 10).adding(edge: 0.5)
        // P(yes | bin) rises from .1 to .9: 400 labelled rows per bin.
        let labeled = [Int64](repeating: 400, count: bins.binCount)
        let events = (0..<bins.binCount).map { Int64(40 + 320 * $0 / (bins.binCount - 1)) }
        let xBins = try ReferenceBins(referenceID: "ref-b", trainingValues: normals(4000, seed: 1), binCount: 20)
        return ReferenceBaseline(
            referenceID: "ref-b",
            columns: [":proba:yes": try numericProfile(":proba:yes", probabilities, bins: bins),
                      "x": try numericProfile("x", normals(4000, seed: 1), bins: xBins)],
            bins: [":proba:yes": bins, "x": xBins], classes: ["no", "yes"],
            calibrations: [":proba:yes": try CalibrationMap(labeled: labeled, events: events)], threshold: 0.5)
    }

    func binaryHour(_ reference: ReferenceBaseline, xMean: Double) throws -> HourProfiles {
        var hour = HourProfiles(endpoint: "m", modelVersion: "1", hour: hour0)
        let p = (0..<2000).map { Double(($0 * 7) % 100) / 100 + 0.005 }
        try hour.merge(try numericProfile(":proba:yes", p, bins: reference.bins[":proba:yes"]))
        try hour.merge(try numericProfile("x", normals(2000, mean: xMean, seed: 2), bins: reference.bins["x"]))
        return hour
    }

    @Test func aBinaryHourGetsTheCalibratedEstimateOfItsHistogram() throws {
        let reference = try binaryReference()
        let hour = try binaryHour(reference, xMean: 0)
        let a = try HourAnalysis(hour: hour, previous: nil, reference: reference)
        let p = a.performance
        let bins = try #require(reference.bins[":proba:yes"])
        let counts = try #require(hour.columns[":proba:yes"]?.numeric?.histogram)
        let map = try #require(reference.calibrations[":proba:yes"])
        let expected = try #require(try PerformanceEstimate.binary(counts: counts, map: map, bins: bins, threshold: 0.5))
        #expect(p.estimatedAccuracy == expected.accuracy && p.estimatedAccuracyLower == expected.lower && p.estimatedAccuracyUpper == expected.upper)
        #expect(p.estimatedPrecision == expected.precision && p.estimatedRecall == expected.recall && p.estimatedF1 == expected.f1)
        #expect(p.estimateReliable == true && a.estimateNote == nil)
        let report = String(decoding: HourReport(analysis: try HourAnalysis(hour: hour, previous: nil, reference: reference), trend: []).jsonData(),
                            as: UTF8.self)
        #expect(report.contains("\"estimate_reliable\" : true") && report.contains("\"estimated_precision\" : "))
    }

    @Test func covariateShiftMakesTheEstimateUnreliableAndSaysWhy() throws {
        let reference = try binaryReference()
        let analysis = try HourAnalysis(hour: try binaryHour(reference, xMean: 1), previous: nil, reference: reference)
        let p = analysis.performance
        #expect(p.estimatedAccuracy != nil && p.estimateReliable == false)
        #expect(analysis.estimateNote?.contains("input features x are drift_detected") == true)
        let html = HourReport(analysis: analysis, trend: []).html()
        #expect(html.contains("not reliable") && html.contains("covariate shift"))
        #expect(analysis.performance.estimateReliable == false)
    }

    @Test func aReferenceWithoutMapsGivesNoEstimateAndSaysSo() throws {
        var reference = try binaryReference()
        reference.calibrations = [:]
        let a = try HourAnalysis(hour: try binaryHour(reference, xMean: 0), previous: nil, reference: reference)
        let p = a.performance
        #expect(p.estimatedAccuracy == nil && p.estimateReliable == nil)
        #expect(a.estimateNote?.contains("--label-column") == true)
    }

    @Test func regressionGetsNoEstimate() throws {
        var hour = HourProfiles(endpoint: "r", modelVersion: "1", hour: hour0)
        try hour.merge(try numericProfile(":prediction", normals(500, seed: 3)))
        let reference = ReferenceBaseline(referenceID: "ref-r", columns: [:], bins: [:], classes: [], isRegression: true)
        let a = try HourAnalysis(hour: hour, previous: nil, reference: reference)
        let p = a.performance
        #expect(p.estimatedAccuracy == nil && a.estimateNote?.hasPrefix("regression model") == true)
    }

    /// Histograms counted over other bins (another reference) are read from the sketch, and the note says so.
    @Test func anHourWithoutExactCountsUsesItsSketch() throws {
        let reference = try binaryReference()
        var hour = HourProfiles(endpoint: "m", modelVersion: "1", hour: hour0)
        try hour.merge(try numericProfile(":proba:yes", (0..<2000).map { Double(($0 * 7) % 100) / 100 + 0.005 }))
        let a = try HourAnalysis(hour: hour, previous: nil, reference: reference)
        let p = a.performance
        #expect(p.estimatedAccuracy != nil && a.estimateNote?.contains("come from the sketch") == true)
    }
}
