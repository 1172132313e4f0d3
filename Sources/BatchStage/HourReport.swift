import DriftlineCore
import DriftlineStore
import Foundation
import Profiles

/// Everything one endpoint's hourly report shows, as the JSON summary writes it
/// (`<store>/reports/<endpoint>/<YYYY-MM-DDTHH>.json`); the HTML page is drawn from the same value.
/// Non-finite numbers are written as `null`.
public struct HourReport: Sendable, Codable {
    /// One `drift` row with the bins it was computed over (the row's fields read as the entry's own:
    /// `entry.psi`, `entry.status`).
    @dynamicMemberLookup
    public struct Drift: Sendable {
        /// The row as the `drift` table stores it (its endpoint, model version and window are the report's).
        public var row: DriftRow
        public var binLabels: [String]
        public var actualBinCounts: [Double]
        public var baselineBinCounts: [Double]

        public init(row: DriftRow, binLabels: [String], actualBinCounts: [Double], baselineBinCounts: [Double]) {
            self.row = row
            self.binLabels = binLabels
            self.actualBinCounts = actualBinCounts
            self.baselineBinCounts = baselineBinCounts
        }

        public subscript<Value>(dynamicMember field: WritableKeyPath<DriftRow, Value>) -> Value {
            get { row[keyPath: field] }
            set { row[keyPath: field] = newValue }
        }
    }

    /// One hour of the 24-hour trend.
    public struct TrendPoint: Sendable, Codable, Equatable {
        public var hour: String
        public var windowStartMicroseconds: Int64
        public var accuracy: Double?
        public var estimatedAccuracy: Double?
        public var estimatedAccuracyLower: Double?
        public var estimatedAccuracyUpper: Double?
        public var estimateReliable: Bool?
        public var predictionsPerSecond: Double?
        public var latencyP50Ms: Double?
        public var latencyP95Ms: Double?
        public var errorRate: Double?
        public var driftStatus: String?

        /// µs since the epoch of an ISO instant `YYYY-MM-DDTHH:MM:SSZ`.
        static func instant(_ text: String) -> Int64? {
            Timestamp(parsing: text)?.microsecondsSinceEpoch
        }

        public init(hour: AnalysisHour, performance: PerformanceRow) {
            self.hour = hour.isoStart
            windowStartMicroseconds = hour.startMicroseconds
            accuracy = finite(performance.accuracy)
            estimatedAccuracy = finite(performance.estimatedAccuracy)
            estimatedAccuracyLower = finite(performance.estimatedAccuracyLower)
            estimatedAccuracyUpper = finite(performance.estimatedAccuracyUpper)
            estimateReliable = performance.estimateReliable
            predictionsPerSecond = finite(performance.predictionsPerSecond)
            latencyP50Ms = finite(performance.latencyP50Ms)
            latencyP95Ms = finite(performance.latencyP95Ms)
            errorRate = finite(performance.errorRate)
            driftStatus = performance.status.rawValue
        }
    }

    public var endpoint: String
    public var modelVersion: String
    public var windowStart: String
    public var windowEnd: String
    public var referenceId: String?
    public var classes: [String]
    public var driftStatus: String
    /// The hour's `performance` row (its endpoint, model version and window are the report's).
    public var performance: PerformanceRow
    /// Why there is no label-free estimate, or why it is not reliable (written inside `performance`).
    public var estimateNote: String?
    public var drift: [Drift]
    /// The data-quality checks of the features against the reference (nil in reports written before them).
    public var quality: [Quality]?
    /// `ok`, or what a quality alert makes of the model's status (`warn` or `alert`, per the pipeline's rule).
    public var qualityStatus: String?
    /// Up to 24 hours ending with this one, oldest first.
    public var trend: [TrendPoint]

    /// The report of an analysed hour; `trend` holds earlier hours' performance (any order; this hour is added).
    public init(analysis: HourAnalysis, trend: [TrendPoint]) {
        endpoint = analysis.endpoint
        modelVersion = analysis.modelVersion
        windowStart = analysis.hour.isoStart
        windowEnd = analysis.hour.next.isoStart
        referenceId = analysis.referenceID
        classes = analysis.classes
        driftStatus = analysis.performance.driftStatus
        performance = analysis.performance
        estimateNote = analysis.estimateNote
        drift = zip(analysis.driftRows, analysis.drift).map { row, column in
            Drift(row: row, binLabels: column.comparison.binLabels, actualBinCounts: column.comparison.actualBinCounts,
                  baselineBinCounts: column.comparison.baselineBinCounts)
        }
        quality = analysis.quality.map(Quality.init)
        qualityStatus = analysis.qualityStatus
        let earliest = analysis.hour.startMicroseconds - 23 * analysis.hour.length
        var points = trend.filter { $0.windowStartMicroseconds >= earliest && $0.windowStartMicroseconds < analysis.hour.startMicroseconds }
        points.append(TrendPoint(hour: analysis.hour, performance: analysis.performance))
        var seen = Set<Int64>()
        self.trend = points.sorted { $0.windowStartMicroseconds < $1.windowStartMicroseconds }
            .filter { seen.insert($0.windowStartMicroseconds).inserted }
    }

    /// The report `jsonData()` wrote (to re-render it with a new trend).
    static func decode(_ data: Data) throws -> HourReport {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        var report = try decoder.decode(HourReport.self, from: data)
        report.performance.endpoint = report.endpoint
        report.performance.modelVersion = report.modelVersion
        if let start = TrendPoint.instant(report.windowStart), let end = TrendPoint.instant(report.windowEnd) {
            report.performance.windowStartMicroseconds = start
            report.performance.windowEndMicroseconds = end
            for i in report.drift.indices {
                report.drift[i].row.windowStartMicroseconds = start
                report.drift[i].row.windowEndMicroseconds = end
            }
        }
        return report
    }

    /// This report with the trend rebuilt from `points` (earlier windows' performance; this window's own point is kept).
    func withTrend(_ points: [TrendPoint]) -> HourReport {
        var copy = self
        guard let own = trend.first(where: { $0.hour == windowStart }) else { return copy }
        let length = isDayWindow ? AnalysisHour.dayMicroseconds : AnalysisHour.lengthMicroseconds
        let earliest = own.windowStartMicroseconds - 23 * length
        var selected = points.filter { $0.windowStartMicroseconds >= earliest && $0.windowStartMicroseconds < own.windowStartMicroseconds }
        selected.append(own)
        var seen = Set<Int64>()
        copy.trend = selected.sorted { $0.windowStartMicroseconds < $1.windowStartMicroseconds }.filter { seen.insert($0.windowStartMicroseconds).inserted }
        return copy
    }

    /// Whether the report covers a UTC day (its window is 24 hours long).
    var isDayWindow: Bool {
        guard let start = TrendPoint.instant(windowStart), let end = TrendPoint.instant(windowEnd) else { return false }
        return end - start == AnalysisHour.dayMicroseconds
    }

    /// What `jsonData()` writes, through Foundation's encoder (tests compare the two).
    func foundationJSON() throws -> Data {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return try encoder.encode(self)
    }
}

/// `nil` for NaN and ±∞, which JSON cannot hold.
func finite(_ x: Double?) -> Double? {
    guard let x, x.isFinite else { return nil }
    return x
}
