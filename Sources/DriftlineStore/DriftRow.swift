import DeltaTable
import Parquet

/// One row of the `drift` table (DESIGN.md): one column of one model in one analysis window,
/// compared with one baseline (`reference` or `previous`). Metrics that do not apply are nil.
public struct DriftRow: Sendable, Equatable {
    public var endpoint: String
    public var modelVersion: String
    /// The analysis window (an hour), µs since the epoch, UTC.
    public var windowStartMicroseconds: Int64
    public var windowEndMicroseconds: Int64
    /// `reference` or `previous`.
    public var baseline: String
    public var columnName: String
    /// `numeric` or `categorical`.
    public var columnKind: String
    public var count: Int64
    public var baselineCount: Int64
    public var mean: Double?
    public var baselineMean: Double?
    public var stddev: Double?
    public var baselineStddev: Double?
    public var missingRatio: Double?
    public var baselineMissingRatio: Double?
    public var tvd: Double?
    public var hellinger: Double?
    public var kld: Double?
    public var jsDistance: Double?
    public var psi: Double?
    public var ksStatistic: Double?
    public var ksPvalue: Double?
    public var chi2Statistic: Double?
    public var chi2Pvalue: Double?
    /// In units of the baseline's sample standard deviation.
    public var wasserstein: Double?
    public var driftScore: Double?
    /// `drift_detected`, `possible_drift`, `no_drift` or `insufficient_data`.
    public var status: String

    public init(endpoint: String, modelVersion: String, windowStartMicroseconds: Int64, windowEndMicroseconds: Int64,
                baseline: String, columnName: String, columnKind: String, count: Int64, baselineCount: Int64,
                mean: Double? = nil, baselineMean: Double? = nil, stddev: Double? = nil, baselineStddev: Double? = nil,
                missingRatio: Double? = nil, baselineMissingRatio: Double? = nil,
                tvd: Double? = nil, hellinger: Double? = nil, kld: Double? = nil, jsDistance: Double? = nil, psi: Double? = nil,
                ksStatistic: Double? = nil, ksPvalue: Double? = nil, chi2Statistic: Double? = nil, chi2Pvalue: Double? = nil,
                wasserstein: Double? = nil, driftScore: Double? = nil, status: String) {
        self.endpoint = endpoint
        self.modelVersion = modelVersion
        self.windowStartMicroseconds = windowStartMicroseconds
        self.windowEndMicroseconds = windowEndMicroseconds
        self.baseline = baseline
        self.columnName = columnName
        self.columnKind = columnKind
        self.count = count
        self.baselineCount = baselineCount
        self.mean = mean
        self.baselineMean = baselineMean
        self.stddev = stddev
        self.baselineStddev = baselineStddev
        self.missingRatio = missingRatio
        self.baselineMissingRatio = baselineMissingRatio
        self.tvd = tvd
        self.hellinger = hellinger
        self.kld = kld
        self.jsDistance = jsDistance
        self.psi = psi
        self.ksStatistic = ksStatistic
        self.ksPvalue = ksPvalue
        self.chi2Statistic = chi2Statistic
        self.chi2Pvalue = chi2Pvalue
        self.wasserstein = wasserstein
        self.driftScore = driftScore
        self.status = status
    }

    /// The `drift` table's Delta schema, in DESIGN.md's column order.
    public static let deltaSchema = DeltaSchema([
        DeltaField("endpoint", .string, nullable: false),
        DeltaField("model_version", .string, nullable: false),
        DeltaField("window_start", .timestamp, nullable: false),
        DeltaField("window_end", .timestamp, nullable: false),
        DeltaField("baseline", .string, nullable: false),
        DeltaField("column_name", .string, nullable: false),
        DeltaField("column_kind", .string, nullable: false),
        DeltaField("count", .long, nullable: false),
        DeltaField("baseline_count", .long, nullable: false),
    ] + ["mean", "baseline_mean", "stddev", "baseline_stddev", "missing_ratio", "baseline_missing_ratio",
         "tvd", "hellinger", "kld", "js_distance", "psi", "ks_statistic", "ks_pvalue", "chi2_statistic", "chi2_pvalue",
         "wasserstein", "drift_score"].map { DeltaField($0, .double) }
      + [DeltaField("status", .string, nullable: false)])
}

extension DriftRow: AnalysisRowCodec {
    var fileValues: [ParquetValue] {
        [.string(modelVersion), .int64(windowStartMicroseconds), .int64(windowEndMicroseconds), .string(baseline),
         .string(columnName), .string(columnKind), .int64(count), .int64(baselineCount)]
            + [mean, baselineMean, stddev, baselineStddev, missingRatio, baselineMissingRatio, tvd, hellinger, kld, jsDistance,
               psi, ksStatistic, ksPvalue, chi2Statistic, chi2Pvalue, wasserstein, driftScore].map { .optional($0) }
            + [.string(status)]
    }

    init(_ r: ValueReader, endpoint: String) throws(StoreError) {
        self.init(endpoint: endpoint, modelVersion: try r.string("model_version"),
                  windowStartMicroseconds: try r.int64("window_start"), windowEndMicroseconds: try r.int64("window_end"),
                  baseline: try r.string("baseline"), columnName: try r.string("column_name"), columnKind: try r.string("column_kind"),
                  count: try r.int64("count"), baselineCount: try r.int64("baseline_count"),
                  mean: try r.optionalDouble("mean"), baselineMean: try r.optionalDouble("baseline_mean"),
                  stddev: try r.optionalDouble("stddev"), baselineStddev: try r.optionalDouble("baseline_stddev"),
                  missingRatio: try r.optionalDouble("missing_ratio"), baselineMissingRatio: try r.optionalDouble("baseline_missing_ratio"),
                  tvd: try r.optionalDouble("tvd"), hellinger: try r.optionalDouble("hellinger"), kld: try r.optionalDouble("kld"),
                  jsDistance: try r.optionalDouble("js_distance"), psi: try r.optionalDouble("psi"),
                  ksStatistic: try r.optionalDouble("ks_statistic"), ksPvalue: try r.optionalDouble("ks_pvalue"),
                  chi2Statistic: try r.optionalDouble("chi2_statistic"), chi2Pvalue: try r.optionalDouble("chi2_pvalue"),
                  wasserstein: try r.optionalDouble("wasserstein"), driftScore: try r.optionalDouble("drift_score"),
                  status: try r.string("status"))
    }
}
