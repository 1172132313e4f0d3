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
}

extension HourReport.TrendPoint {
    /// A trend point from a stored `performance` row.
    public init(row: PerformanceRow) {
        let length = row.windowEndMicroseconds - row.windowStartMicroseconds
        self.init(hour: AnalysisHour(containing: row.windowStartMicroseconds,
                                     length: length == AnalysisHour.dayMicroseconds ? length : AnalysisHour.lengthMicroseconds),
                  performance: row)
    }
}
