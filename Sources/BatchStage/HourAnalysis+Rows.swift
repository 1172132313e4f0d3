import DriftlineStore
import Profiles

extension HourAnalysis {
    /// The `drift` table rows of this hour (non-finite values stored as null).
    public var driftRows: [DriftRow] {
        drift.map { row in
            let c = row.comparison
            return DriftRow(
                endpoint: endpoint, modelVersion: modelVersion,
                windowStartMicroseconds: hour.startMicroseconds, windowEndMicroseconds: hour.endMicroseconds,
                baseline: row.baseline.rawValue, columnName: row.columnName, columnKind: row.columnKind.rawValue,
                count: c.count, baselineCount: c.baselineCount,
                mean: finite(row.mean), baselineMean: finite(row.baselineMean),
                stddev: finite(row.stddev), baselineStddev: finite(row.baselineStddev),
                missingRatio: finite(c.missingRatio), baselineMissingRatio: finite(c.baselineMissingRatio),
                tvd: finite(c.distances?.tvd), hellinger: finite(c.distances?.hellinger), kld: finite(c.distances?.kld),
                jsDistance: finite(c.distances?.jsDistance), psi: finite(c.distances?.psi),
                ksStatistic: finite(c.ksStatistic), ksPvalue: finite(c.ksPValue),
                chi2Statistic: finite(c.chiSquare?.statistic), chi2Pvalue: finite(c.chiSquare?.pValue),
                wasserstein: finite(c.wasserstein), driftScore: finite(c.driftScore), status: row.status.rawValue)
        }
    }

    /// The `quality` table rows of this hour (non-finite values stored as null).
    public var qualityRows: [QualityRow] {
        quality.map { q in
            QualityRow(endpoint: endpoint, modelVersion: modelVersion,
                       windowStartMicroseconds: hour.startMicroseconds, windowEndMicroseconds: hour.endMicroseconds,
                       columnName: q.columnName, check: q.check.rawValue, value: finite(q.value), baselineValue: finite(q.baselineValue),
                       pValue: finite(q.pValue), status: q.status.rawValue, count: q.count, flaggedCount: q.flaggedCount,
                       newCategories: q.newCategories?.map(\.value), newCategoryCounts: q.newCategories?.map(\.count))
        }
    }

    /// The `performance` table row of this hour.
    public var performanceRow: PerformanceRow {
        let p = performance
        return PerformanceRow(
            endpoint: endpoint, modelVersion: modelVersion,
            windowStartMicroseconds: hour.startMicroseconds, windowEndMicroseconds: hour.endMicroseconds,
            requests: p.requests, errors: p.errors, errorRate: finite(p.errorRate),
            predictionsPerSecond: finite(p.predictionsPerSecond),
            latencyP50Ms: finite(p.latencyP50Milliseconds), latencyP95Ms: finite(p.latencyP95Milliseconds),
            latencyP99Ms: finite(p.latencyP99Milliseconds), labeled: p.labeled, accuracy: finite(p.accuracy),
            precisionMacro: finite(p.precisionMacro), recallMacro: finite(p.recallMacro), f1Macro: finite(p.f1Macro),
            f1Weighted: finite(p.f1Weighted), estimatedAccuracy: finite(p.estimatedAccuracy), meanPred1: finite(p.meanPred1),
            meanSpread12: finite(p.meanSpread12), mae: finite(p.mae), rmse: finite(p.rmse), r2: finite(p.r2),
            tvdSum: finite(p.tvdSum), tvdMean: finite(p.tvdMean), hellingerSum: finite(p.hellingerSum),
            hellingerMean: finite(p.hellingerMean), kldSum: finite(p.kldSum), kldMean: finite(p.kldMean),
            driftStatus: p.driftStatus.rawValue,
            estimatedAccuracyLower: finite(p.estimatedAccuracyLower), estimatedAccuracyUpper: finite(p.estimatedAccuracyUpper),
            estimatedPrecision: finite(p.estimatedPrecision), estimatedRecall: finite(p.estimatedRecall),
            estimatedF1: finite(p.estimatedF1), estimateReliable: p.estimateReliable,
            classNames: p.perClass?.classes, classPrecision: p.perClass?.precision, classRecall: p.perClass?.recall,
            classF1: p.perClass?.f1, classSupport: p.perClass?.support, confusionMatrix: p.perClass.map { Array($0.confusionMatrix.joined()) })
    }
}

extension HourReport.TrendPoint {
    /// A trend point from a stored `performance` row.
    public init(row: PerformanceRow) {
        var performance = HourPerformance()
        performance.accuracy = row.accuracy
        performance.estimatedAccuracy = row.estimatedAccuracy
        performance.estimatedAccuracyLower = row.estimatedAccuracyLower
        performance.estimatedAccuracyUpper = row.estimatedAccuracyUpper
        performance.estimateReliable = row.estimateReliable
        performance.predictionsPerSecond = row.predictionsPerSecond ?? 0
        performance.latencyP50Milliseconds = row.latencyP50Ms
        performance.latencyP95Milliseconds = row.latencyP95Ms
        performance.errorRate = row.errorRate
        performance.driftStatus = DriftStatus(rawValue: row.driftStatus) ?? .insufficientData
        let length = row.windowEndMicroseconds - row.windowStartMicroseconds
        self.init(hour: AnalysisHour(containing: row.windowStartMicroseconds,
                                     length: length == AnalysisHour.dayMicroseconds ? length : AnalysisHour.lengthMicroseconds),
                  performance: performance)
    }
}
