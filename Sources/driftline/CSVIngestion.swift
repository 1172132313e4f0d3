import ArgumentParser
import Driftline
import Foundation

/// What `ingest` and `profile` read from each CSV row.
struct IngestPlan {
    enum Mode { case inferences, labels }

    var schema: ModelSchema
    var modelVersion: String
    var mode: Mode
    var featureColumns: [String]
    var probabilityColumns: [String]
    var predictionColumn: String?
    var labelColumn: String?
    var timestampColumn: String?
    var requestIDColumn: String?
    var latencyColumn: String?
}

/// Reads a CSV file row by row and logs each row; a bad row is reported (line, column, why) and skipped.
struct CSVIngestion {
    typealias Outcome = CSVRecords.Outcome

    let path: String
    let plan: IngestPlan
    let logger: InferenceLogger

    func run() throws -> Outcome {
        try CSVRecords(path: path, plan: plan).forEach(reject: { line, problem in
            FileHandle.standardError.write(Data("\(path):\(line): column \(problem.column): \(problem.detail)\n".utf8))
        }) { row in
            do {
                switch row {
                case let .label(label):
                    try logger.logLabel(requestID: label.requestID, label: label.label, timestamp: label.timestamp)
                case let .inference(record):
                    try logger.log(features: record.features, outcome: record.outcome, requestID: record.requestID,
                                   latency: record.latency, timestamp: record.timestamp, label: record.label)
                }
            } catch let error as LoggerError {
                throw CSVRecords.RowProblem(column: column(for: error.field), detail: error.description)
            }
        }
    }

    /// The CSV column a logger error's field points at (`features[2] (region)` → the third feature column).
    func column(for field: String?) -> String {
        guard let field else { return "?" }
        if field.hasPrefix("features["), let i = Self.index(in: field), i < plan.featureColumns.count { return plan.featureColumns[i] }
        if field.hasPrefix("probabilities["), let i = Self.index(in: field), i < plan.probabilityColumns.count { return plan.probabilityColumns[i] }
        if field.hasPrefix("probabilities") { return plan.probabilityColumns.joined(separator: ",") }
        if field.hasPrefix("prediction") || field.hasPrefix("outcome") { return plan.predictionColumn ?? field }
        if field.hasPrefix("label") { return plan.labelColumn ?? field }
        if field.hasPrefix("latency") { return plan.latencyColumn ?? field }
        if field.hasPrefix("requestID") { return plan.requestIDColumn ?? field }
        return field
    }

    static func index(in field: String) -> Int? {
        guard let open = field.firstIndex(of: "["), let close = field.firstIndex(of: "]"), open < close else { return nil }
        return Int(field[field.index(after: open)..<close])
    }
}
