import DriftlineCore
import BatchStage
import DriftlineStore
import Foundation

/// One window's drift rows as a terminal table (`driftline status --hour`), per model version and baseline,
/// worst first; from the window's JSON report when it exists, the bins that moved most of every column
/// that is not `no_drift`; and the window's data-quality checks, alerts first, with the new values named.
enum DriftTableText {
    static func render(_ rows: [DriftRow], quality: [QualityRow] = [], reportsPath: String) -> String {
        var out = ""
        let byModel = Dictionary(grouping: rows, by: \.modelVersion)
        for version in byModel.keys.sorted() {
            let modelRows = byModel[version] ?? []
            guard let first = modelRows.first else { continue }
            let window = StoreOverview.label(start: first.windowStartMicroseconds, end: first.windowEndMicroseconds)
            out += "\(first.endpoint) v\(version) \(window)\n"
            let header = ["column", "baseline", "status", "count", "PSI", "chi2 p", "KS", "KS p", "mean", "baseline mean"]
            var table = [header]
            let sorted = modelRows.sorted {
                let (a, b) = (severity($0.status), severity($1.status))
                if a != b { return a > b }
                if $0.baseline != $1.baseline { return $0.baseline > $1.baseline }   // reference before previous
                return ($0.psi ?? -1, $1.columnName) > ($1.psi ?? -1, $0.columnName)
            }
            for row in sorted {
                table.append([row.columnName, row.baseline, row.status, "\(row.count)", number(row.psi), number(row.chi2Pvalue),
                              number(row.ksStatistic), number(row.ksPvalue), number(row.mean), number(row.baselineMean)])
            }
            out += aligned(table)
            let moved = movedBins(reportsPath: reportsPath, endpoint: first.endpoint, version: version, window: window,
                                  columns: Set(modelRows.filter { $0.status != "no_drift" }.map { $0.columnName + "\u{0}" + $0.baseline }))
            if !moved.isEmpty { out += "bins that moved most (share of the window vs its baseline):\n" + moved }
            let checks = quality.filter { $0.modelVersion == version }
            if !checks.isEmpty { out += "data quality:\n" + qualityTable(checks) }
            out += "\n"
        }
        return out
    }

    /// The quality checks as a table, alerts first, then by column and check.
    static func qualityTable(_ checks: [QualityRow]) -> String {
        var table = [["column", "check", "status", "value", "baseline", "p", "count", "flagged", "new values"]]
        let sorted = checks.sorted {
            let (a, b) = ($0.status == "alert" ? 1 : 0, $1.status == "alert" ? 1 : 0)
            if a != b { return a > b }
            return ($0.columnName, $0.check) < ($1.columnName, $1.check)
        }
        for row in sorted {
            let named = zip(row.newCategories ?? [], row.newCategoryCounts ?? []).map { "\($0) \($1)" }.joined(separator: ", ")
            table.append([row.columnName, row.check, row.status, number(row.value), number(row.baselineValue), number(row.pValue),
                          "\(row.count)", "\(row.flaggedCount)", named])
        }
        return aligned(table)
    }

    static func severity(_ status: String) -> Int {
        ["insufficient_data": 0, "no_drift": 1, "possible_drift": 2, "drift_detected": 3][status] ?? 0
    }

    static func number(_ x: Double?) -> String {
        guard let x, x.isFinite else { return "-" }
        if x != 0 && (abs(x) < 1e-3 || abs(x) >= 1e6) { return String(format: "%.3g", x) }
        return String(format: "%.4f", x).replacingOccurrences(of: #"\.?0+$"#, with: "", options: .regularExpression)
    }

    static func aligned(_ table: [[String]]) -> String {
        let widths = (0..<(table.first?.count ?? 0)).map { column in table.map { $0[column].count }.max() ?? 0 }
        return table.map { row in
            zip(row, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined(separator: "  ")
                .replacingOccurrences(of: #"\s+$"#, with: "", options: .regularExpression)
        }.joined(separator: "\n") + "\n"
    }

    /// For each column and baseline in `columns` (`column NUL baseline`), the two bins whose share changed most, read from the window's JSON report.
    static func movedBins(reportsPath: String, endpoint: String, version: String, window: String, columns: Set<String>) -> String {
        guard !columns.isEmpty else { return "" }
        let folder = reportsPath + "/" + endpoint + "/"
        let candidates = [folder + window + ".json", folder + window + ".v" + version + ".json"]
        guard let path = candidates.first(where: { FileManager.default.fileExists(atPath: $0) }),
              let data = FileManager.default.contents(atPath: path),
              let report = (try? JSONValue.parse(Array(data)))?.object,
              report["model_version"]?.string == version || report["model_version"] == nil,
              let drift = report["drift"]?.array?.compactMap(\.object) else { return "" }
        var out = ""
        for entry in drift {
            guard let column = entry["column"]?.string, let baseline = entry["baseline"]?.string,
                  columns.contains(column + "\u{0}" + baseline),
                  let labels = entry["bin_labels"]?.array?.compactMap(\.string),
                  let actual = entry["actual_bin_counts"]?.array?.compactMap(\.double),
                  let expected = entry["baseline_bin_counts"]?.array?.compactMap(\.double),
                  labels.count == actual.count, labels.count == expected.count else { continue }
            let (a, e) = (actual.reduce(0, +), expected.reduce(0, +))
            guard a > 0, e > 0 else { continue }
            let shifts = labels.indices.map { (labels[$0], actual[$0] / a, expected[$0] / e) }
                .sorted { abs($0.1 - $0.2) > abs($1.1 - $1.2) }.prefix(2)
            out += "  \(column) (\(baseline)): " + shifts.map { String(format: "%@ %.1f%% vs %.1f%%", $0.0, $0.1 * 100, $0.2 * 100) }
                .joined(separator: ", ") + "\n"
        }
        return out
    }
}
