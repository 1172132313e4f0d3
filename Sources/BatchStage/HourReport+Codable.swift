import DriftlineStore
import Foundation

/// The report through Foundation's coders (with snake-case key strategies): the same members as `jsonData()`
/// writes, the `performance` object holding the row's metrics and the estimate's note. Decoding takes the
/// row's endpoint, model version and window from the report's own members.
extension HourReport {
    enum CodingKeys: String, CodingKey {
        case endpoint, modelVersion, windowStart, windowEnd, referenceId, classes, driftStatus, performance, drift
        case quality, qualityStatus, trend
    }

    /// The report's names of the `performance` object's members (camel case: the coders convert them).
    enum PerformanceKeys: String, CodingKey {
        case requests, errors, errorRate, predictionsPerSecond, latencyP50Milliseconds, latencyP95Milliseconds
        case latencyP99Milliseconds, labeled, accuracy, precisionMacro, recallMacro, f1Macro, f1Weighted
        case estimatedAccuracy, estimatedAccuracyLower, estimatedAccuracyUpper, estimatedPrecision, estimatedRecall
        case estimatedF1, estimateReliable, estimateNote, meanPred1, meanSpread12, mae, rmse, r2
        case tvdSum, tvdMean, hellingerSum, hellingerMean, kldSum, kldMean, perClass, driftStatus
    }

    enum PerClassKeys: String, CodingKey {
        case classes, precision, recall, f1, support, confusionMatrix
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(endpoint, forKey: .endpoint)
        try c.encode(modelVersion, forKey: .modelVersion)
        try c.encode(windowStart, forKey: .windowStart)
        try c.encode(windowEnd, forKey: .windowEnd)
        try c.encodeIfPresent(referenceId, forKey: .referenceId)
        try c.encode(classes, forKey: .classes)
        try c.encode(driftStatus, forKey: .driftStatus)
        try c.encode(drift, forKey: .drift)
        try c.encodeIfPresent(quality, forKey: .quality)
        try c.encodeIfPresent(qualityStatus, forKey: .qualityStatus)
        try c.encode(trend, forKey: .trend)
        var p = c.nestedContainer(keyedBy: PerformanceKeys.self, forKey: .performance)
        let row = performance
        try p.encode(row.requests, forKey: .requests)
        try p.encode(row.errors, forKey: .errors)
        try p.encode(row.labeled, forKey: .labeled)
        try p.encode(row.driftStatus, forKey: .driftStatus)
        try p.encodeIfPresent(estimateNote, forKey: .estimateNote)
        try p.encodeIfPresent(row.estimateReliable, forKey: .estimateReliable)
        for (key, value) in Self.doubles(of: row) { try p.encodeIfPresent(value, forKey: key) }
        if let classes = row.classNames, let precision = row.classPrecision, let recall = row.classRecall,
           let f1 = row.classF1, let support = row.classSupport {
            var q = p.nestedContainer(keyedBy: PerClassKeys.self, forKey: .perClass)
            try q.encode(classes, forKey: .classes)
            try q.encode(precision, forKey: .precision)
            try q.encode(recall, forKey: .recall)
            try q.encode(f1, forKey: .f1)
            try q.encode(support, forKey: .support)
            try q.encode(row.confusionMatrixRows ?? [], forKey: .confusionMatrix)
        }
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        endpoint = try c.decode(String.self, forKey: .endpoint)
        modelVersion = try c.decode(String.self, forKey: .modelVersion)
        windowStart = try c.decode(String.self, forKey: .windowStart)
        windowEnd = try c.decode(String.self, forKey: .windowEnd)
        referenceId = try c.decodeIfPresent(String.self, forKey: .referenceId)
        classes = try c.decode([String].self, forKey: .classes)
        driftStatus = try c.decode(String.self, forKey: .driftStatus)
        drift = try c.decode([Drift].self, forKey: .drift)
        for i in drift.indices {
            drift[i].row.endpoint = endpoint
            drift[i].row.modelVersion = modelVersion
        }
        quality = try c.decodeIfPresent([Quality].self, forKey: .quality)
        qualityStatus = try c.decodeIfPresent(String.self, forKey: .qualityStatus)
        trend = try c.decode([TrendPoint].self, forKey: .trend)
        let p = try c.nestedContainer(keyedBy: PerformanceKeys.self, forKey: .performance)
        var row = PerformanceRow(endpoint: endpoint, modelVersion: modelVersion, windowStartMicroseconds: 0, windowEndMicroseconds: 0,
                                 requests: try p.decode(Int64.self, forKey: .requests), errors: try p.decode(Int64.self, forKey: .errors),
                                 labeled: try p.decode(Int64.self, forKey: .labeled), driftStatus: try p.decode(String.self, forKey: .driftStatus))
        row.estimateReliable = try p.decodeIfPresent(Bool.self, forKey: .estimateReliable)
        for (key, field) in Self.doubleFields { row[keyPath: field] = try p.decodeIfPresent(Double.self, forKey: key) }
        if p.contains(.perClass) {
            let q = try p.nestedContainer(keyedBy: PerClassKeys.self, forKey: .perClass)
            row.classNames = try q.decode([String].self, forKey: .classes)
            row.classPrecision = try q.decode([Double].self, forKey: .precision)
            row.classRecall = try q.decode([Double].self, forKey: .recall)
            row.classF1 = try q.decode([Double].self, forKey: .f1)
            row.classSupport = try q.decode([Int64].self, forKey: .support)
            row.confusionMatrix = Array(try q.decode([[Int64]].self, forKey: .confusionMatrix).joined())
        }
        performance = row
        estimateNote = try p.decodeIfPresent(String.self, forKey: .estimateNote)
    }

    /// The row's optional doubles and their names in the report.
    static var doubleFields: [(PerformanceKeys, WritableKeyPath<PerformanceRow, Double?>)] {
        [
        (.errorRate, \.errorRate), (.predictionsPerSecond, \.predictionsPerSecond),
        (.latencyP50Milliseconds, \.latencyP50Ms), (.latencyP95Milliseconds, \.latencyP95Ms), (.latencyP99Milliseconds, \.latencyP99Ms),
        (.accuracy, \.accuracy), (.precisionMacro, \.precisionMacro), (.recallMacro, \.recallMacro), (.f1Macro, \.f1Macro),
        (.f1Weighted, \.f1Weighted), (.estimatedAccuracy, \.estimatedAccuracy), (.estimatedAccuracyLower, \.estimatedAccuracyLower),
        (.estimatedAccuracyUpper, \.estimatedAccuracyUpper), (.estimatedPrecision, \.estimatedPrecision),
        (.estimatedRecall, \.estimatedRecall), (.estimatedF1, \.estimatedF1), (.meanPred1, \.meanPred1), (.meanSpread12, \.meanSpread12),
        (.mae, \.mae), (.rmse, \.rmse), (.r2, \.r2), (.tvdSum, \.tvdSum), (.tvdMean, \.tvdMean), (.hellingerSum, \.hellingerSum),
        (.hellingerMean, \.hellingerMean), (.kldSum, \.kldSum), (.kldMean, \.kldMean),
        ]
    }

    static func doubles(of row: PerformanceRow) -> [(PerformanceKeys, Double?)] {
        doubleFields.map { ($0.0, row[keyPath: $0.1]) }
    }
}

/// A drift entry through Foundation's coders: the row's fields under the report's names (`column`, `kind`) and
/// the bins. Decoding leaves the row's endpoint, model version and window to the report (`HourReport.decode`).
extension HourReport.Drift: Codable {
    enum CodingKeys: String, CodingKey {
        case baseline, column, kind, count, baselineCount, mean, baselineMean, stddev, baselineStddev, missingRatio
        case baselineMissingRatio, tvd, hellinger, kld, jsDistance, psi, ksStatistic, ksPvalue, chi2Statistic, chi2Pvalue
        case wasserstein, driftScore, status, binLabels, actualBinCounts, baselineBinCounts
    }

    static var doubleFields: [(CodingKeys, WritableKeyPath<DriftRow, Double?>)] {
        [(.mean, \.mean), (.baselineMean, \.baselineMean), (.stddev, \.stddev), (.baselineStddev, \.baselineStddev),
         (.missingRatio, \.missingRatio), (.baselineMissingRatio, \.baselineMissingRatio), (.tvd, \.tvd), (.hellinger, \.hellinger),
         (.kld, \.kld), (.jsDistance, \.jsDistance), (.psi, \.psi), (.ksStatistic, \.ksStatistic), (.ksPvalue, \.ksPvalue),
         (.chi2Statistic, \.chi2Statistic), (.chi2Pvalue, \.chi2Pvalue), (.wasserstein, \.wasserstein), (.driftScore, \.driftScore)]
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(row.baseline, forKey: .baseline)
        try c.encode(row.columnName, forKey: .column)
        try c.encode(row.columnKind, forKey: .kind)
        try c.encode(row.count, forKey: .count)
        try c.encode(row.baselineCount, forKey: .baselineCount)
        for (key, field) in Self.doubleFields { try c.encodeIfPresent(row[keyPath: field], forKey: key) }
        try c.encode(row.status, forKey: .status)
        try c.encode(binLabels, forKey: .binLabels)
        try c.encode(actualBinCounts, forKey: .actualBinCounts)
        try c.encode(baselineBinCounts, forKey: .baselineBinCounts)
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        var row = DriftRow(endpoint: "", modelVersion: "", windowStartMicroseconds: 0, windowEndMicroseconds: 0,
                           baseline: try c.decode(String.self, forKey: .baseline), columnName: try c.decode(String.self, forKey: .column),
                           columnKind: try c.decode(String.self, forKey: .kind), count: try c.decode(Int64.self, forKey: .count),
                           baselineCount: try c.decode(Int64.self, forKey: .baselineCount), status: try c.decode(String.self, forKey: .status))
        for (key, field) in Self.doubleFields { row[keyPath: field] = try c.decodeIfPresent(Double.self, forKey: key) }
        self.init(row: row, binLabels: try c.decode([String].self, forKey: .binLabels),
                  actualBinCounts: try c.decode([Double].self, forKey: .actualBinCounts),
                  baselineBinCounts: try c.decode([Double].self, forKey: .baselineBinCounts))
    }
}
