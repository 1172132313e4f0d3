import Foundation
import Testing
@testable import Profiles

@Suite struct CalibrationMapTests {
    @Test func poolAdjacentViolatorsPoolsADecreasingPair() throws {
        // Rates .2 .6 .4 .9: the violating middle pair pools to (6 + 4) / 20 = .5.
        let map = try CalibrationMap(labeled: [10, 10, 10, 10], events: [2, 6, 4, 9])
        #expect(map.probabilities == [0.2, 0.5, 0.5, 0.9])
        #expect(map.blocks.map(\.bins) == [0..<1, 1..<3, 3..<4])
        #expect(map.blocks[1].labeled == 20 && map.blocks[1].events == 10)
        #expect(map.blockOfBin == [0, 1, 1, 2])
    }

    @Test func poolingCascadesAndWeighsByLabelledRows() throws {
        // .5 (2 rows), .3 (10 rows) pool to 4/12; then .1 (10 rows) pools all to 5/22.
        let map = try CalibrationMap(labeled: [2, 10, 10], events: [1, 3, 1])
        #expect(map.blocks.count == 1 && map.probabilities.allSatisfy { $0 == 5.0 / 22 })
        // Equal rates are pooled too: blocks are the level sets of the fit.
        #expect(try CalibrationMap(labeled: [4, 8, 5], events: [1, 2, 5]).blocks.map(\.bins) == [0..<2, 2..<3])
    }

    @Test func emptyBinsContinueTheStepBelowThem() throws {
        let map = try CalibrationMap(labeled: [0, 5, 0, 5, 0], events: [0, 1, 0, 4, 0])
        #expect(map.blocks.map(\.bins) == [0..<3, 3..<5])
        #expect(map.probabilities == [0.2, 0.2, 0.2, 0.8, 0.8])
    }

    @Test func theMapOfRawValuesCountsTheirBins() throws {
        let bins = try ReferenceBins(referenceID: "r", edges: [0.5])
        let map = try CalibrationMap(bins: bins, values: [0.1, 0.2, 0.7, 0.9, .nan, 0.5], events: [false, true, true, true, true, false])
        #expect(map.labeled == [2, 3] && map.events == [1, 2])
    }

    @Test func badTablesAreTypedErrors() {
        #expect(throws: ProfileError.self) { try CalibrationMap(labeled: [1, 2], events: [1]) }
        #expect(throws: ProfileError.self) { try CalibrationMap(labeled: [1], events: [2]) }
        #expect(throws: ProfileError.self) { try CalibrationMap(labeled: [-1, 2], events: [0, 0]) }
        #expect(throws: ProfileError.self) { try CalibrationMap(labeled: [0, 0], events: [0, 0]) }
        #expect(throws: ProfileError.self) { try CalibrationMap(labeled: [.max, 1], events: [0, 0]) }
    }

    @Test func theSetDerivesEventsAsTheTailDerivesPredictions() throws {
        var set = CalibrationSet(classes: ["no", "yes"], threshold: 0.6)
        set.add(probabilities: [0.3, 0.7], label: "yes")     // predicted yes: right
        set.add(probabilities: [0.45, 0.55], label: "yes")   // 0.55 < 0.6: predicted no, wrong
        set.add(probabilities: [0.8, 0.2], label: "maybe")   // not a class: wrong, and no class matches
        set.add(probabilities: [], label: "no")              // no probabilities: ignored
        let one = try ReferenceBins(referenceID: "", edges: [])
        let pred1 = try #require(try set.map(column: ":pred1", bins: one))
        #expect(pred1.labeled == [3] && pred1.events == [1])
        #expect(try set.map(column: ":proba:yes", bins: one)?.events == [2])
        #expect(try set.map(column: ":proba:no", bins: one)?.events == [0])
        #expect(try set.map(column: ":proba:other", bins: one) == nil && set.count == 3)
    }

    @Test func addingAnEdgeKeepsTheBinsSorted() throws {
        let bins = try ReferenceBins(referenceID: "r", edges: [0.2, 0.7])
        #expect(try bins.adding(edge: 0.5).edges == [0.2, 0.5, 0.7])
        #expect(try bins.adding(edge: 0.7).edges == [0.2, 0.7])
        #expect(try bins.adding(edge: 0.9).edges == [0.2, 0.7, 0.9])
        #expect(throws: ProfileError.self) { try bins.adding(edge: .nan) }
    }
}

@Suite struct PerformanceEstimateTests {
    @Test func binaryConfusionCountsFollowTheMap() throws {
        // Bins below the threshold 0.5 are predicted negative. q = .1 .3 | .6 .9, 100 predictions per bin:
        // TP = 60 + 90, FP = 40 + 10, FN = 10 + 30, TN = 90 + 70.
        let bins = try ReferenceBins(referenceID: "r", edges: [0.25, 0.5, 0.75])
        let map = try CalibrationMap(labeled: [1000, 1000, 1000, 1000], events: [100, 300, 600, 900])
        let e = try #require(try PerformanceEstimate.binary(counts: [100, 100, 100, 100], map: map, bins: bins, threshold: 0.5))
        #expect(abs(e.accuracy - 310.0 / 400) < 1e-15)
        #expect(abs((e.precision ?? 0) - 150.0 / 200) < 1e-15)
        #expect(abs((e.recall ?? 0) - 150.0 / 190) < 1e-15)
        #expect(abs((e.f1 ?? 0) - 300.0 / 390) < 1e-15)
        #expect(e.count == 400)
        // The variance, term by term: sampling Σ h q̃(1 − q̃) / n², map Σ (±h/n)² q̃(1 − q̃) / M.
        var sampling = 0.0, mapPart = 0.0
        for events in [100.0, 300, 600, 900] {
            let q = (events + 0.5) / 1001
            sampling += 100 * q * (1 - q) / (400 * 400)
            mapPart += 0.25 * 0.25 * q * (1 - q) / 1000
        }
        #expect(abs(e.standardError - (sampling + mapPart).squareRoot()) < 1e-15)
        #expect(e.lower == e.accuracy - 3 * e.standardError && e.upper == e.accuracy + 3 * e.standardError)
    }

    @Test func aPooledBlockAcrossTheThresholdWeighsItsSidesAgainstEachOther() throws {
        // One block over both sides: the map's error moves TP and TN in opposite directions.
        let bins = try ReferenceBins(referenceID: "r", edges: [0.5])
        let map = try CalibrationMap(labeled: [100, 100], events: [60, 40])   // .6 then .4: pooled to one block
        let e = try #require(try PerformanceEstimate.binary(counts: [300, 100], map: map, bins: bins, threshold: 0.5))
        let q = 100.5 / 201
        let expected = (400 * q * (1 - q) / (400 * 400) + 0.5 * 0.5 * q * (1 - q) / 200).squareRoot()
        #expect(abs(e.standardError - expected) < 1e-15, "\(e.standardError) vs \(expected)")
        #expect(e.accuracy == 0.5, "\(e.accuracy)")
    }

    @Test func theTopLabelEstimateHasNoBinaryMetrics() throws {
        let map = try CalibrationMap(labeled: [10, 10], events: [5, 10])
        let e = try #require(try PerformanceEstimate.topLabel(counts: [1, 3], map: map))
        #expect(e.accuracy == (0.5 + 3) / 4 && e.precision == nil && e.recall == nil && e.f1 == nil)
        #expect(e.upper <= 1)
        #expect(try PerformanceEstimate.topLabel(counts: [0, 0], map: map) == nil)
    }

    @Test func countsThatDoNotFitTheMapAreTypedErrors() throws {
        let map = try CalibrationMap(labeled: [10, 10], events: [5, 10])
        let bins = try ReferenceBins(referenceID: "r", edges: [0.4])
        #expect(throws: ProfileError.self) { try PerformanceEstimate.topLabel(counts: [1, 2, 3], map: map) }
        #expect(throws: ProfileError.self) { try PerformanceEstimate.topLabel(counts: [1, -2], map: map) }
        #expect(throws: ProfileError.self) { try PerformanceEstimate.binary(counts: [1, 2], map: map, bins: bins, threshold: 0.5) }
    }

    /// The acceptance in miniature: binary models whose true P(y = 1 | x) is σ(2x), one calibrated (p = σ(2x))
    /// and one pushed toward 0 and 1 by a temperature (p = σ(6x)). The map is learnt from 20,000 labelled
    /// reference rows; 200 hours of 2,000 predictions each are drawn from the same distribution. The estimate
    /// must hold the realised accuracy within its band in ≥ 90 % of hours (3 standard errors: ≈ 99 % if honest),
    /// its 1-standard-error band in ≥ 55 % (≈ 68 % if honest), and the band must be narrow (≤ ± 0.04).
    @Test(arguments: [1.0, 3.0])
    func binaryBandHoldsTheRealisedAccuracy(temperatureFactor: Double) throws {
        var rng = SplitMix64(seed: 42 + UInt64(temperatureFactor))
        func draw(_ n: Int) -> (p: [Double], y: [Bool]) {
            var p: [Double] = [], y: [Bool] = []
            for _ in 0..<n {
                let x = Self.normal(&rng)
                p.append(Self.sigmoid(2 * temperatureFactor * x))
                y.append(Double.random(in: 0..<1, using: &rng) < Self.sigmoid(2 * x))
            }
            return (p, y)
        }
        let reference = draw(20_000)
        let bins = try ReferenceBins(referenceID: "r", trainingValues: reference.p, binCount: 20).adding(edge: 0.5)
        let map = try CalibrationMap(bins: bins, values: reference.p, events: reference.y)
        var within = 0, withinOne = 0, hours = 200
        var naiveError = 0.0
        for _ in 0..<hours {
            let hour = draw(2000)
            let counts = bins.counts(of: hour.p)
            let e = try #require(try PerformanceEstimate.binary(counts: counts, map: map, bins: bins, threshold: 0.5))
            let truth = Double(zip(hour.p, hour.y).filter { ($0 >= 0.5) == $1 }.count) / 2000
            if e.lower <= truth && truth <= e.upper { within += 1 }
            if abs(e.accuracy - truth) <= e.standardError { withinOne += 1 }
            #expect(e.upper - e.lower <= 0.08)
            naiveError += abs(hour.p.map { max($0, 1 - $0) }.reduce(0, +) / 2000 - truth) / Double(hours)
        }
        #expect(Double(within) >= 0.9 * Double(hours), "\(within) of \(hours) hours within the band")
        #expect(Double(withinOne) >= 0.55 * Double(hours), "\(withinOne) of \(hours) hours within one standard error")
        if temperatureFactor > 1 { #expect(naiveError > 0.05, "mean top probability is off by \(naiveError) on average") }
    }

    /// Four classes, logits A·x with x ~ N(0, I₂); the model reports softmax(A·x · t) for t = 1 (calibrated) and
    /// t = 2.5 (over-confident). Accuracy from the `:pred1` histogram and the "prediction right" map.
    @Test(arguments: [1.0, 2.5])
    func topLabelBandHoldsTheRealisedAccuracy(temperatureFactor: Double) throws {
        var rng = SplitMix64(seed: 7 + UInt64(temperatureFactor * 10))
        let a: [[Double]] = [[1.5, 0], [0, 1.5], [-1.5, 0], [0.3, -1.5]]
        func draw(_ n: Int) -> (pred1: [Double], right: [Bool]) {
            var pred1: [Double] = [], right: [Bool] = []
            for _ in 0..<n {
                let x = [Self.normal(&rng), Self.normal(&rng)]
                let logits = a.map { $0[0] * x[0] + $0[1] * x[1] }
                let truth = Self.softmax(logits), model = Self.softmax(logits.map { $0 * temperatureFactor })
                var u = Double.random(in: 0..<1, using: &rng), label = 0
                while label < 3 && u >= truth[label] { u -= truth[label]; label += 1 }
                let best = model.indices.max { model[$0] < model[$1] } ?? 0
                pred1.append(model[best])
                right.append(best == label)
            }
            return (pred1, right)
        }
        let reference = draw(20_000)
        let bins = try ReferenceBins(referenceID: "r", trainingValues: reference.pred1, binCount: 20)
        let map = try CalibrationMap(bins: bins, values: reference.pred1, events: reference.right)
        var within = 0
        let hours = 150
        for _ in 0..<hours {
            let hour = draw(2000)
            let e = try #require(try PerformanceEstimate.topLabel(counts: bins.counts(of: hour.pred1), map: map))
            let truth = Double(hour.right.filter { $0 }.count) / 2000
            if e.lower <= truth && truth <= e.upper { within += 1 }
        }
        #expect(Double(within) >= 0.9 * Double(hours), "\(within) of \(hours) hours within the band")
    }

    static func normal(_ rng: inout SplitMix64) -> Double {
        let u = Double.random(in: Double.ulpOfOne..<1, using: &rng), v = Double.random(in: 0..<1, using: &rng)
        return (-2 * Foundation.log(u)).squareRoot() * Foundation.cos(2 * Double.pi * v)
    }

    static func sigmoid(_ z: Double) -> Double { 1 / (1 + Foundation.exp(-z)) }

    static func softmax(_ z: [Double]) -> [Double] {
        let top = z.max() ?? 0
        let e = z.map { Foundation.exp($0 - top) }
        let s = e.reduce(0, +)
        return e.map { $0 / s }
    }
}
