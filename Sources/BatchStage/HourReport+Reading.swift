import DriftlineCore
import DriftlineStore
import Foundation

/// Reading a report back from the JSON `jsonData()` wrote (a run re-renders an earlier report with a new trend),
/// through the product's one JSON reader (`JSONValue.parse`). A number written without a fraction reads as a
/// double where the field is one; the strings `"NaN"`, `"Infinity"` and `"-Infinity"` (how non-finite bin counts
/// are written) read as those doubles. The row's endpoint, model version and window come from the report's own
/// members.
extension HourReport {
    /// A report file that is not what `jsonData()` writes: the member (as a path) and what is wrong with it.
    struct ReadError: Error, CustomStringConvertible {
        let description: String
    }

    /// The report `jsonData()` wrote.
    static func decode(_ data: Data) throws(ReadError) -> HourReport {
        let value: JSONValue
        do {
            value = try JSONValue.parse([UInt8](data))
        } catch {
            throw ReadError(description: "the report is not JSON: \(error)")
        }
        return try HourReport(reading: ReportMembers(value, path: "report"))
    }

    init(reading report: ReportMembers) throws(ReadError) {
        // Locals, not members: the closures below read them before every member is set.
        let endpoint = try report.string("endpoint"), modelVersion = try report.string("model_version")
        let windowStart = try report.string("window_start"), windowEnd = try report.string("window_end")
        self.endpoint = endpoint
        self.modelVersion = modelVersion
        self.windowStart = windowStart
        self.windowEnd = windowEnd
        referenceId = try report.optionalString("reference_id")
        classes = try report.strings("classes")
        driftStatus = try report.string("drift_status")
        guard let start = TrendPoint.instant(windowStart), let end = TrendPoint.instant(windowEnd) else {
            throw ReadError(description: "report: window_start \(windowStart) or window_end \(windowEnd) is not an ISO 8601 instant")
        }
        let p = try report.object("performance")
        var row = PerformanceRow(endpoint: endpoint, modelVersion: modelVersion, windowStartMicroseconds: start, windowEndMicroseconds: end,
                                 requests: try p.int("requests"), errors: try p.int("errors"), labeled: try p.int("labeled"),
                                 driftStatus: try p.string("drift_status"))
        row.estimateReliable = try p.optionalBool("estimate_reliable")
        for (name, field) in Self.performanceDoubles { row[keyPath: field] = try p.optionalDouble(name) }
        if let perClass = try p.optionalObject("per_class") {
            row.classNames = try perClass.strings("classes")
            row.classPrecision = try perClass.doubles("precision")
            row.classRecall = try perClass.doubles("recall")
            row.classF1 = try perClass.doubles("f1")
            row.classSupport = try perClass.ints("support")
            row.confusionMatrix = Array(try perClass.items("confusion_matrix").map { item throws(ReadError) in try item.ints() }.joined())
        }
        performance = row
        estimateNote = try p.optionalString("estimate_note")
        drift = try report.items("drift").map { item throws(ReadError) in
            let d = try item.members()
            var row = DriftRow(endpoint: endpoint, modelVersion: modelVersion, windowStartMicroseconds: start, windowEndMicroseconds: end,
                               baseline: try d.string("baseline"), columnName: try d.string("column"), columnKind: try d.string("kind"),
                               count: try d.int("count"), baselineCount: try d.int("baseline_count"), status: try d.string("status"))
            for (name, field) in Self.driftDoubles { row[keyPath: field] = try d.optionalDouble(name) }
            return Drift(row: row, binLabels: try d.strings("bin_labels"), actualBinCounts: try d.doubles("actual_bin_counts"),
                         baselineBinCounts: try d.doubles("baseline_bin_counts"))
        }
        quality = try report.optionalItems("quality")?.map { item throws(ReadError) in
            let q = try item.members()
            return Quality(column: try q.string("column"), check: try q.string("check"), value: try q.optionalDouble("value"),
                           baselineValue: try q.optionalDouble("baseline_value"), pValue: try q.optionalDouble("p_value"),
                           status: try q.string("status"), count: try q.int("count"), flaggedCount: try q.int("flagged_count"),
                           newCategories: try q.optionalItems("new_categories")?.map { category throws(ReadError) in
                               let c = try category.members()
                               return Quality.Category(value: try c.string("value"), count: try c.int("count"))
                           })
        }
        qualityStatus = try report.optionalString("quality_status")
        trend = try report.items("trend").map { item throws(ReadError) in
            let t = try item.members()
            var point = TrendPoint(hour: try t.string("hour"), windowStartMicroseconds: try t.int("window_start_microseconds"))
            point.estimateReliable = try t.optionalBool("estimate_reliable")
            point.driftStatus = try t.optionalString("drift_status")
            for (name, field) in Self.trendDoubles { point[keyPath: field] = try t.optionalDouble(name) }
            return point
        }
    }

    /// The `performance` object's optional doubles: the report's name, the row's field.
    static var performanceDoubles: [(String, WritableKeyPath<PerformanceRow, Double?>)] {
        [
        ("error_rate", \.errorRate), ("predictions_per_second", \.predictionsPerSecond),
        ("latency_p50_milliseconds", \.latencyP50Ms), ("latency_p95_milliseconds", \.latencyP95Ms),
        ("latency_p99_milliseconds", \.latencyP99Ms), ("accuracy", \.accuracy), ("precision_macro", \.precisionMacro),
        ("recall_macro", \.recallMacro), ("f1_macro", \.f1Macro), ("f1_weighted", \.f1Weighted),
        ("estimated_accuracy", \.estimatedAccuracy), ("estimated_accuracy_lower", \.estimatedAccuracyLower),
        ("estimated_accuracy_upper", \.estimatedAccuracyUpper), ("estimated_precision", \.estimatedPrecision),
        ("estimated_recall", \.estimatedRecall), ("estimated_f1", \.estimatedF1), ("mean_pred1", \.meanPred1),
        ("mean_spread12", \.meanSpread12), ("mae", \.mae), ("rmse", \.rmse), ("r2", \.r2), ("tvd_sum", \.tvdSum),
        ("tvd_mean", \.tvdMean), ("hellinger_sum", \.hellingerSum), ("hellinger_mean", \.hellingerMean),
        ("kld_sum", \.kldSum), ("kld_mean", \.kldMean),
        ]
    }

    /// A drift entry's optional doubles.
    static var driftDoubles: [(String, WritableKeyPath<DriftRow, Double?>)] {
        [
        ("mean", \.mean), ("baseline_mean", \.baselineMean), ("stddev", \.stddev), ("baseline_stddev", \.baselineStddev),
        ("missing_ratio", \.missingRatio), ("baseline_missing_ratio", \.baselineMissingRatio), ("tvd", \.tvd),
        ("hellinger", \.hellinger), ("kld", \.kld), ("js_distance", \.jsDistance), ("psi", \.psi),
        ("ks_statistic", \.ksStatistic), ("ks_pvalue", \.ksPvalue), ("chi2_statistic", \.chi2Statistic),
        ("chi2_pvalue", \.chi2Pvalue), ("wasserstein", \.wasserstein), ("drift_score", \.driftScore),
        ]
    }

    /// A trend point's optional doubles.
    static var trendDoubles: [(String, WritableKeyPath<TrendPoint, Double?>)] {
        [
        ("accuracy", \.accuracy), ("estimated_accuracy", \.estimatedAccuracy),
        ("estimated_accuracy_lower", \.estimatedAccuracyLower), ("estimated_accuracy_upper", \.estimatedAccuracyUpper),
        ("predictions_per_second", \.predictionsPerSecond), ("latency_p50_ms", \.latencyP50Ms),
        ("latency_p95_ms", \.latencyP95Ms), ("error_rate", \.errorRate),
        ]
    }
}

/// A report's JSON value with the path to it (`report.drift[3].psi`), read member by member with typed errors.
struct ReportMembers {
    typealias ReadError = HourReport.ReadError
    let value: JSONValue
    let path: String

    init(_ value: JSONValue, path: String) {
        self.value = value
        self.path = path
    }

    private func fail(_ member: String, _ problem: String) -> ReadError {
        ReadError(description: "\(path).\(member): \(problem)")
    }

    private func member(_ name: String) throws(ReadError) -> JSONValue? {
        guard case let .object(object) = value else { throw ReadError(description: "\(path): expected an object") }
        return object[name]
    }

    /// This value as an object (`members()` of an array item).
    func members() throws(ReadError) -> ReportMembers {
        guard case .object = value else { throw ReadError(description: "\(path): expected an object") }
        return self
    }

    func string(_ name: String) throws(ReadError) -> String {
        guard let text = try optionalString(name) else { throw fail(name, "missing") }
        return text
    }

    func optionalString(_ name: String) throws(ReadError) -> String? {
        switch try member(name) {
        case nil, .null?: return nil
        case let .string(text)?: return text
        case let other?: throw fail(name, "expected a string, found \(other)")
        }
    }

    func int(_ name: String) throws(ReadError) -> Int64 {
        guard let item = try member(name) else { throw fail(name, "missing") }
        return try Self.int(item, at: path + "." + name)
    }

    func optionalBool(_ name: String) throws(ReadError) -> Bool? {
        switch try member(name) {
        case nil, .null?: return nil
        case let .bool(flag)?: return flag
        case let other?: throw fail(name, "expected true or false, found \(other)")
        }
    }

    func optionalDouble(_ name: String) throws(ReadError) -> Double? {
        switch try member(name) {
        case nil, .null?: return nil
        case let item?: return try Self.double(item, at: path + "." + name)
        }
    }

    func object(_ name: String) throws(ReadError) -> ReportMembers {
        guard let item = try optionalObject(name) else { throw fail(name, "missing") }
        return item
    }

    func optionalObject(_ name: String) throws(ReadError) -> ReportMembers? {
        switch try member(name) {
        case nil, .null?: return nil
        case let item?: return try ReportMembers(item, path: path + "." + name).members()
        }
    }

    func items(_ name: String) throws(ReadError) -> [ReportMembers] {
        guard let items = try optionalItems(name) else { throw fail(name, "missing") }
        return items
    }

    func optionalItems(_ name: String) throws(ReadError) -> [ReportMembers]? {
        switch try member(name) {
        case nil, .null?: return nil
        case let .array(values)?: return values.enumerated().map { ReportMembers($1, path: "\(path).\(name)[\($0)]") }
        case let other?: throw fail(name, "expected an array, found \(other)")
        }
    }

    func strings(_ name: String) throws(ReadError) -> [String] {
        try items(name).map { item throws(ReadError) in
            guard case let .string(text) = item.value else { throw ReadError(description: "\(item.path): expected a string") }
            return text
        }
    }

    func doubles(_ name: String) throws(ReadError) -> [Double] {
        try items(name).map { item throws(ReadError) in try Self.double(item.value, at: item.path) }
    }

    func ints(_ name: String) throws(ReadError) -> [Int64] {
        try items(name).map { item throws(ReadError) in try Self.int(item.value, at: item.path) }
    }

    /// This value as an array of integers.
    func ints() throws(ReadError) -> [Int64] {
        guard case let .array(values) = value else { throw ReadError(description: "\(path): expected an array") }
        return try values.enumerated().map { index, item throws(ReadError) in try Self.int(item, at: "\(path)[\(index)]") }
    }

    static func int(_ value: JSONValue, at path: String) throws(ReadError) -> Int64 {
        guard case let .int(number) = value else { throw ReadError(description: "\(path): expected an integer, found \(value)") }
        return number
    }

    static func double(_ value: JSONValue, at path: String) throws(ReadError) -> Double {
        switch value {
        case let .double(number): return number
        case let .int(number): return Double(number)
        case .string("NaN"): return .nan
        case .string("Infinity"): return .infinity
        case .string("-Infinity"): return -.infinity
        default: throw ReadError(description: "\(path): expected a number, found \(value)")
        }
    }
}

extension HourReport.TrendPoint {
    /// A point with only its hour; the figures are set member by member.
    init(hour: String, windowStartMicroseconds: Int64) {
        self.hour = hour
        self.windowStartMicroseconds = windowStartMicroseconds
    }
}
