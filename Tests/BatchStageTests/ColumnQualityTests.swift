import Foundation
import Profiles
import Testing
@testable import BatchStage

@Suite struct ColumnQualityTests {
    /// scipy: `hypergeom.pmf(k, n0 + n, n, k)` and `binom.sf(k - 1, n, p)`, `norm.sf(z)` of the pooled z.
    @Test func pValuesEqualScipy() {
        #expect(abs(ProportionTest.exceedancePValue(count: 2, of: 148, trainingCount: 4950) - 8.372681781981924e-4) < 1e-15)
        #expect(ProportionTest.exceedancePValue(count: 0, of: 10, trainingCount: 10) == 1)
        #expect(abs(ProportionTest.binomialUpperTail(atLeast: 3, of: 150, probability: 0.01) - 0.190518137983936) < 1e-12)
        #expect(abs(ProportionTest.binomialUpperTail(atLeast: 1, of: 150, probability: 0.01) - (1 - pow(0.99, 150))) < 1e-12)
        #expect(abs(ProportionTest.twoProportionPValue(count: 250, of: 1000, baselineCount: 50, of: 5000) / 4.6260056274831324e-222 - 1) < 1e-9)
        #expect(ProportionTest.twoProportionPValue(count: 0, of: 10, baselineCount: 0, of: 10) == 1)
    }

    @Test func missingShareNeedsEffectAndEvidence() throws {
        var trained = try numericProfile("x", normals(5000, seed: 3))
        trained.addMissing(50)
        var small = try numericProfile("x", normals(145, seed: 4))
        small.addMissing(5)    // 1 % → 3.3 %: evidence, but below the 5-point effect
        var big = try numericProfile("x", normals(750, seed: 5))
        big.addMissing(250)    // 1 % → 25 %
        let thresholds = QualityThresholds()
        let quiet = try #require(ColumnQuality.checks(column: "x", actual: small, reference: trained, thresholds: thresholds).first)
        #expect(quiet.check == .missingShare && quiet.status == .ok && quiet.flaggedCount == 5 && quiet.count == 150)
        let loud = try #require(ColumnQuality.checks(column: "x", actual: big, reference: trained, thresholds: thresholds).first)
        #expect(loud.status == .alert && loud.value == 0.25 && loud.baselineValue == 50.0 / 5050)
        var tiny = try numericProfile("x", normals(40, seed: 6))
        tiny.addMissing(40)
        #expect(ColumnQuality.checks(column: "x", actual: tiny, reference: trained, thresholds: thresholds).first?.status == .insufficientData)
    }

    @Test func valuesBeyondTheTrainingRangeAreCounted() throws {
        let training = normals(5000, seed: 7)
        let top = try #require(training.max())
        let trained = try numericProfile("x", training)
        // 150 values, 10 above the maximum: every value outside, or inside, is exact without the sketch.
        let window = try numericProfile("x", normals(140, seed: 8).map { min($0, top) } + (1...10).map { top + Double($0) })
        let checks = ColumnQuality.checks(column: "x", actual: window, reference: trained, thresholds: QualityThresholds())
        let above = try #require(checks.first { $0.check == .aboveTrainingMax })
        #expect(above.flaggedCount == 10 && above.count == 150 && above.status == .alert)
        let below = try #require(checks.first { $0.check == .belowTrainingMin })
        #expect(below.flaggedCount == 0 && below.pValue == 1 && below.status == .ok)
    }

    @Test func unseenCategoriesAreNamedByCount() throws {
        let trained = try categoricalProfile("plan", ["basic": 3000, "pro": 2000])
        let window = try categoricalProfile("plan", ["basic": 900, "pro": 40, "trial": 30, "enterprise": 30, "beta": 1])
        let check = try #require(ColumnQuality.checks(column: "plan", actual: window, reference: trained, thresholds: QualityThresholds()).last)
        #expect(check.check == .unseenCategories && check.flaggedCount == 61 && check.status == .alert)
        #expect(check.newCategories?.map(\.value) == ["enterprise", "trial", "beta"])
        #expect(check.newCategories?.map(\.count) == [30, 30, 1])
    }

    @Test func pipelineFileSetsTheQualityRulePerEndpointAndRefusesUnknownKeys() throws {
        let config = try EndpointSettings(yaml: """
            defaults:
              quality: { outside_range_share: 0.05 }
            endpoints:
              shop:
                quality: { model_status: warn, pvalue: 0.001 }
            """)
        #expect(config.settings(for: "shop").quality.modelStatus == .warn)
        #expect(config.settings(for: "shop").quality.pValue == 0.001)
        #expect(config.settings(for: "shop").quality.outsideRangeShare == 0.05)
        #expect(config.settings(for: "other").quality.modelStatus == .alert)
        #expect(config.settings(for: "shop").fingerprint != config.settings(for: "other").fingerprint)
        #expect(throws: BatchError.self) { try EndpointSettings(yaml: "defaults:\n  quality: { missing: 0.1 }\n") }
        #expect(throws: BatchError.self) { try EndpointSettings(yaml: "defaults:\n  quality: { model_status: page }\n") }
        #expect(throws: BatchError.self) { try EndpointSettings(yaml: "defaults:\n  quality: { unseen_share: 0 }\n") }
    }
}
