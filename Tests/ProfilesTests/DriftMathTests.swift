import Testing
@testable import Profiles

@Suite struct DriftMathTests {
    @Test func identicalDistributionsHaveZeroDistance() throws {
        let d = try BinnedDistances(actual: [10, 20, 30] as [Int64], baseline: [1, 2, 3] as [Int64])
        #expect(abs(d.tvd) < 1e-15 && abs(d.hellinger) < 1e-7 && abs(d.kld) < 1e-15 && abs(d.psi) < 1e-15 && d.jsDistance < 1e-7)
    }

    @Test func disjointDistributionsAreAtMaximalDistance() throws {
        let d = try BinnedDistances(actual: [5, 0] as [Int64], baseline: [0, 5] as [Int64])
        #expect(d.tvd == 1 && abs(d.hellinger - 1) < 1e-15 && abs(d.jsDistance - 1) < 1e-15)
        #expect(d.psi.isFinite && d.kld.isFinite && d.psi > 10)
    }

    /// The one-walk distances are exactly the two separate sketch comparisons, and a sorted view built by
    /// merging levels ranks every value as a full sort of the retained items would.
    @Test func oneWalkDistancesEqualTheSeparateComparisons() throws {
        var a = try KLLSketch(seed: 1), b = try KLLSketch(seed: 2)
        var generator = SplitMix64(seed: 7)
        var retainedValues: [Double] = []
        for i in 0..<60_000 {
            let x = Double.random(in: 0..<1, using: &generator)
            a.update(x * x)
            b.update(i % 3 == 0 ? x : x + 0.1)
        }
        let both = try SketchComparison.distances(actual: a, baseline: b)
        let ks = try SketchComparison.kolmogorovSmirnov(actual: a, baseline: b)
        #expect(both.ksStatistic == ks.statistic && both.ksPValue == ks.pValue)
        #expect(both.wasserstein == (try SketchComparison.wasserstein(actual: a, baseline: b)))
        let view = a.sortedView()
        for level in 0..<a.numLevels {
            for index in Int(a.levels[level])..<Int(a.levels[level + 1]) { retainedValues.append(a.items[index]) }
        }
        #expect(view.values == retainedValues.sorted())
        #expect(view.cumulativeWeights.last == a.count)
        #expect(zip(view.cumulativeWeights, view.cumulativeWeights.dropFirst()).allSatisfy { $0 < $1 })
    }

    @Test func badCountsAreTypedErrors() {
        #expect(throws: ProfileError.emptyDistribution(side: "actual")) { try BinnedDistances(actual: [0, 0] as [Int64], baseline: [1, 1] as [Int64]) }
        #expect(throws: ProfileError.self) { try BinnedDistances(actual: [1] as [Int64], baseline: [1, 1] as [Int64]) }
        #expect(throws: ProfileError.self) { try BinnedDistances(actual: [1, Double.nan], baseline: [1.0, 1.0]) }
        #expect(throws: ProfileError.self) { try ChiSquareTest(actual: [1.0, -1.0], baseline: [1.0, 1.0]) }
        #expect(throws: ProfileError.self) { try ChiSquareTest(actual: [] as [Double], baseline: []) }
    }

    @Test func chiSquareOfAKnownTable() throws {
        // Table [[10, 20], [20, 10]]: expected 15 everywhere, χ² = 4·25/15 = 6.667, dof 1, p = erfc(√(χ²/2)).
        let test = try ChiSquareTest(actual: [10, 20] as [Int64], baseline: [20, 10] as [Int64])
        #expect(abs(test.statistic - 20.0 / 3) < 1e-12 && test.degreesOfFreedom == 1)
        #expect(abs(test.pValue - erfc((20.0 / 6).squareRoot())) < 1e-14)
    }

    @Test(arguments: [(1.0, 1), (5.0, 3), (50.0, 40), (400.0, 255), (0.001, 2)])
    func chiSquareSurvivalMatchesClosedFormsForEvenDof(x: Double, dof: Int) {
        // For even dof, Q(k, x/2) = e^(−x/2) Σ_{i<k} (x/2)^i / i!.
        guard dof % 2 == 0 else {
            #expect(ChiSquareTest.survival(x, degreesOfFreedom: dof) > 0)
            return
        }
        let half = x / 2
        var term = 1.0, sum = 0.0
        for i in 0..<(dof / 2) {
            if i > 0 { term *= half / Double(i) }
            sum += term
        }
        let expected = exp(-half) * sum
        #expect(abs(ChiSquareTest.survival(x, degreesOfFreedom: dof) - expected) <= 1e-12 * expected)
    }

    @Test func kolmogorovSurvivalIsMonotoneAndBounded() {
        var previous = 1.0
        for i in 0...300 {
            let value = Kolmogorov.survival(Double(i) / 100)
            #expect(value <= previous + 1e-15 && value >= 0 && value <= 1)
            previous = value
        }
        #expect(Kolmogorov.survival(0) == 1 && Kolmogorov.survival(.infinity) == 0 && Kolmogorov.survival(.nan) == 1)
        #expect(abs(Kolmogorov.survival(1.3580986393225507) - 0.05) < 1e-12)
    }

    @Test func statusNeedsEffectAndEvidenceAndEnoughData() {
        #expect(DriftStatus.classify(psi: 0.3, chiSquarePValue: 0.001, count: 1000, baselineCount: 1000) == .driftDetected)
        #expect(DriftStatus.classify(psi: 0.3, chiSquarePValue: 0.02, count: 1000, baselineCount: 1000) == .possibleDrift)
        #expect(DriftStatus.classify(psi: 0.3, chiSquarePValue: 0.2, count: 1000, baselineCount: 1000) == .noDrift)
        #expect(DriftStatus.classify(psi: 0.05, chiSquarePValue: 0, count: 1000, baselineCount: 1000) == .noDrift)
        #expect(DriftStatus.classify(psi: 5, chiSquarePValue: 0, count: 99, baselineCount: 1000) == .insufficientData)
        let strict = DriftThresholds(detectedPSI: 1, minimumCount: 10)
        #expect(DriftStatus.classify(psi: 0.3, chiSquarePValue: 0.001, count: 20, baselineCount: 20, thresholds: strict) == .possibleDrift)
    }

    @Test func comparisonOfEmptyOrConstantSidesNeverYieldsNaN() throws {
        let empty = ColumnProfile.numeric("x")
        var full = ColumnProfile.numeric("x")
        for i in 0..<500 { try full.add(Double(i)) }
        let none = try DriftComparison(actual: empty, baseline: full, binning: .fromBaseline(binCount: 10))
        #expect(none.status == .insufficientData && none.distances == nil && none.ksStatistic == nil)
        var constant = ColumnProfile.numeric("x")
        for _ in 0..<500 { try constant.add(5) }
        let flat = try DriftComparison(actual: constant, baseline: constant, binning: .fromBaseline(binCount: 10))
        #expect(flat.wasserstein == nil && flat.status == .noDrift && flat.ksStatistic == 0)
        #expect(throws: ProfileError.self) {
            try DriftComparison(actual: full, baseline: ColumnProfile.categorical("x"), binning: .fromBaseline(binCount: 10))
        }
    }

    @Test func classificationMetricsOfAKnownMatrix() throws {
        var matrix = try ConfusionMatrix(classes: ["a", "b", "c"])
        matrix.add(label: "a", prediction: "a", count: 3)
        matrix.add(label: "a", prediction: "b", count: 1)
        matrix.add(label: "b", prediction: "b", count: 2)
        matrix.add(label: "zzz", prediction: "a", count: 1)      // unknown label: always wrong
        let m = try #require(ClassificationMetrics(matrix))
        #expect(m.accuracy == 5.0 / 7 && m.labeled == 7)
        #expect(m.precision == [3.0 / 4, 2.0 / 3, 0] && m.recall == [3.0 / 4, 1, 0])
        #expect(m.precisionMacro == (3.0 / 4 + 2.0 / 3 + 0) / 3)
        #expect(ClassificationMetrics(try ConfusionMatrix(classes: ["a"])) == nil)
        #expect(throws: ProfileError.self) { try ConfusionMatrix(classes: ["a", "a"]) }
    }

    @Test func confusionValuesWithPipesInLabelsParse() throws {
        var confusion = CategoryCounts()
        confusion.add("a|b|b")     // label "a|b", prediction "b"
        confusion.add("b|a|b")     // label "b", prediction "a|b" (the longest class that ends the value)
        confusion.add("x|b")       // label "x" is no class: counted against prediction "b"
        confusion.add("x|q")       // prediction "q" is no class: cannot be placed
        let matrix = try ConfusionMatrix(classes: ["a|b", "b"], confusion: confusion)
        #expect(matrix.counts[0][1] == 1 && matrix.counts[1][0] == 1 && matrix.unknownLabelCounts[1] == 1)
        #expect(matrix.unparsedCount == 1 && matrix.total == 3)
    }

    @Test func regressionMetricsFromMoments() throws {
        var residual = NumericMoments(), absolute = NumericMoments(), label = NumericMoments()
        for (prediction, truth) in [(1.0, 2.0), (2.0, 2.0), (5.0, 3.0)] {
            let r = DerivedColumns.residuals(prediction: prediction, label: truth)
            residual.add(r.residual)
            absolute.add(r.absoluteResidual)
            label.add(truth)
        }
        let m = try #require(RegressionMetrics(residual: residual, absoluteResidual: absolute, label: label))
        #expect(abs(m.mae - 1) < 1e-15 && abs(m.rmse - (5.0 / 3).squareRoot()) < 1e-15)
        #expect(abs(m.r2 - (1 - 5.0 / (2.0 / 3))) < 1e-12)
        #expect(RegressionMetrics(residual: NumericMoments(), absoluteResidual: NumericMoments(), label: NumericMoments()) == nil)
    }

    @Test func referenceBinsDropRepeatedEdgesAndBinLikeUpperBound() throws {
        let bins = try ReferenceBins(referenceID: "r", trainingValues: [1, 1, 1, 1, 2, 3, .nan], binCount: 4)
        // numpy.quantile([1, 1, 1, 1, 2, 3], [0.25, 0.5, 0.75]) = [1, 1, 1.75]
        #expect(bins.edges == [1, 1.75])
        #expect(bins.binIndex(of: 0.5) == 0 && bins.binIndex(of: 1) == 1 && bins.binIndex(of: 1.5) == 1)
        #expect(bins.binIndex(of: 1.75) == 2 && bins.binIndex(of: .nan) == nil)
        #expect(try ReferenceBins(referenceID: "r", trainingValues: [], binCount: 20).binCount == 1)
        #expect(throws: ProfileError.self) { try ReferenceBins(referenceID: "r", edges: [2, 1]) }
        #expect(throws: ProfileError.self) { try ReferenceBins(referenceID: "r", edges: [.infinity]) }
    }
}

import Foundation
