import DriftlineCore
import Foundation

/// What the demo prints, read from batch's JSON summaries (`<store>/reports/<endpoint>/<hour>.json`).
struct DemoReport {
    var endpoint: String
    var hour: String
    var jsonPath: String
    var htmlPath: String
    var requests: Int
    var accuracy: Double?
    var estimatedAccuracy: Double?
    /// False when the hour's input features drifted (covariate shift): the estimate may be wrong.
    var estimateReliable: Bool?
    var mae: Double?
    var driftStatus: String
    /// Features (and `:prediction`) against the reference, most drifted first: (column, PSI, status).
    var drifted: [(column: String, psi: Double, status: String)]

    static func read(store: String, endpoints: [String], start: Timestamp, hours: Int) throws -> [DemoReport] {
        var reports: [DemoReport] = []
        for endpoint in endpoints {
            for h in 0..<hours {
                let hourStart = start.advanced(by: .seconds(3600 * h))
                let name = String(hourStart.iso8601.prefix(13))  // 2026-11-23T14
                let json = "\(store)/reports/\(endpoint)/\(name).json"
                guard let data = FileManager.default.contents(atPath: json),
                      let object = (try? JSONValue.parse(Array(data)))?.object else {
                    throw DemoFailure(command: "read \(json) (batch's report of \(endpoint) at \(name))", status: 1)
                }
                let performance = object["performance"]?.object ?? JSONObject()
                let rows = (object["drift"]?.array ?? []).compactMap(\.object).filter { $0["baseline"]?.string == "reference" }
                let drifted = rows.compactMap { row -> (String, Double, String)? in
                    guard let column = row["column"]?.string, !column.hasPrefix(":") || column == ":prediction",
                          let psi = row["psi"]?.double, let status = row["status"]?.string else { return nil }
                    return (column, psi, status)
                }.sorted { $0.1 > $1.1 }
                reports.append(DemoReport(
                    endpoint: endpoint, hour: name, jsonPath: json, htmlPath: String(json.dropLast(5)) + ".html",
                    requests: performance["requests"]?.int64.flatMap { Int(exactly: $0) } ?? 0, accuracy: performance["accuracy"]?.double,
                    estimatedAccuracy: performance["estimated_accuracy"]?.double,
                    estimateReliable: performance["estimate_reliable"]?.bool, mae: performance["mae"]?.double,
                    driftStatus: object["drift_status"]?.string ?? "?", drifted: drifted))
            }
        }
        return reports
    }

    static func table(_ reports: [DemoReport]) -> String {
        func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s : s + String(repeating: " ", count: n - s.count) }
        func lpad(_ s: String, _ n: Int) -> String { s.count >= n ? s : String(repeating: " ", count: n - s.count) + s }
        func number(_ x: Double?) -> String { x.map { String(format: "%.3f", $0) } ?? "-" }
        var lines = [pad("endpoint", 18) + pad("hour (UTC)", 15) + lpad("requests", 9) + lpad("accuracy", 11) + lpad("est. acc. ", 11)
                     + " " + pad("drift status", 16) + "most drifted (PSI vs reference)"]
        var previous = ""
        for r in reports {
            if r.endpoint != previous && !previous.isEmpty { lines.append("") }
            previous = r.endpoint
            let accuracy = r.mae.map { "MAE " + String(format: "%.3f", $0) } ?? number(r.accuracy)
            let top = r.drifted.filter { $0.status == "drift_detected" || $0.status == "possible_drift" }.prefix(3)
                .map { "\($0.column) \(String(format: "%.2f", $0.psi))" }.joined(separator: ", ")
            lines.append(pad(r.endpoint, 18) + pad(r.hour.replacingOccurrences(of: "T", with: " ") + ":00", 15) + lpad("\(r.requests)", 9)
                         + lpad(accuracy, 11) + lpad(number(r.estimatedAccuracy) + (r.estimateReliable == false ? "*" : " "), 11)
                         + " " + pad(r.driftStatus, 16) + (top.isEmpty ? "-" : top))
        }
        if reports.contains(where: { $0.estimateReliable == false }) {
            lines += ["", "* not reliable: input features drifted against the reference (covariate shift); wait for labels"]
        }
        return lines.joined(separator: "\n")
    }
}
