import ArgumentParser
import CSV
import Driftline
import Foundation

/// What `ingest` reads from each CSV row.
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
    struct Outcome {
        var accepted = 0
        var rejected = 0
    }

    /// A row that cannot be logged.
    struct RowProblem: Error {
        var column: String
        var detail: String
    }

    let path: String
    let plan: IngestPlan
    let logger: InferenceLogger

    func run() throws -> Outcome {
        // Read whole: the library's stream reader reports the end of a file as an error.
        guard let data = FileManager.default.contents(atPath: path) else { throw ArgumentParser.ValidationError("--csv \(path): cannot read") }
        guard let text = String(data: data, encoding: .utf8) else { throw ArgumentParser.ValidationError("--csv \(path): not UTF-8 text") }
        let reader = try CSVReader(string: text, hasHeaderRow: true)
        guard let header = reader.headerRow else { throw ArgumentParser.ValidationError("--csv \(path): empty file, no header row") }
        var index: [String: Int] = [:]
        for (i, name) in header.enumerated() where index[name.trimmingSpaces] == nil { index[name.trimmingSpaces] = i }
        let needed = plan.featureColumns + plan.probabilityColumns
            + [plan.predictionColumn, plan.labelColumn, plan.timestampColumn, plan.requestIDColumn, plan.latencyColumn].compactMap { $0 }
        let missing = needed.filter { index[$0] == nil }
        guard missing.isEmpty else {
            throw ArgumentParser.ValidationError("--csv \(path): no column named \(missing.joined(separator: ", ")) (the header has \(header.joined(separator: ", ")))")
        }
        let columns = Columns(plan: plan, index: index)
        var outcome = Outcome()
        var line = 1 + Self.lineBreaks(in: header) + 1
        while let row = reader.next() {
            let rowLine = line
            line += 1 + Self.lineBreaks(in: row)
            if row.count == 1 && row[0].isEmpty { continue }  // a blank line
            do {
                try log(row, columns: columns)
                outcome.accepted += 1
            } catch let problem as RowProblem {
                outcome.rejected += 1
                FileHandle.standardError.write(Data("\(path):\(rowLine): column \(problem.column): \(problem.detail)\n".utf8))
            }
        }
        if let error = reader.error {
            FileHandle.standardError.write(Data("\(path):\(line): CSV error: \(error); stopped here\n".utf8))
            outcome.rejected += 1
        }
        return outcome
    }

    static func lineBreaks(in row: [String]) -> Int {
        row.reduce(0) { count, field in
            count + field.unicodeScalars.reduce(0) { $0 + ($1 == "\n" ? 1 : 0) }
        }
    }

    /// Column positions, resolved once.
    struct Columns {
        var features: [Int]
        var probabilities: [Int]
        var prediction: Int?
        var label: Int?
        var timestamp: Int?
        var requestID: Int?
        var latency: Int?

        init(plan: IngestPlan, index: [String: Int]) {
            features = plan.featureColumns.compactMap { index[$0] }
            probabilities = plan.probabilityColumns.compactMap { index[$0] }
            prediction = plan.predictionColumn.flatMap { index[$0] }
            label = plan.labelColumn.flatMap { index[$0] }
            timestamp = plan.timestampColumn.flatMap { index[$0] }
            requestID = plan.requestIDColumn.flatMap { index[$0] }
            latency = plan.latencyColumn.flatMap { index[$0] }
        }
    }

    func log(_ row: [String], columns: Columns) throws {
        func cell(_ i: Int?) -> String? { i.map { $0 < row.count ? row[$0].trimmingSpaces : "" } }
        func number(_ i: Int, _ name: String) throws -> Double {
            let text = cell(i) ?? ""
            guard let value = Double(text) else { throw RowProblem(column: name, detail: "\(text.debugDescription) is not a number") }
            return value
        }
        let timestamp: Timestamp
        if let text = cell(columns.timestamp) {
            guard let parsed = TimestampText.parse(text) else {
                throw RowProblem(column: plan.timestampColumn ?? "", detail: "\(text.debugDescription) is not ISO-8601 or epoch seconds")
            }
            timestamp = parsed
        } else {
            timestamp = .now()
        }
        let requestID: RequestID
        do { requestID = try RequestID(cell(columns.requestID) ?? "") } catch {
            throw RowProblem(column: plan.requestIDColumn ?? "", detail: "\(error)")
        }
        let labelText = cell(columns.label) ?? ""
        var label: Label? = nil
        if !labelText.isEmpty {
            if plan.schema.task.isClassification {
                label = .className(labelText)
            } else {
                guard let value = Double(labelText) else { throw RowProblem(column: plan.labelColumn ?? "", detail: "\(labelText.debugDescription) is not a number (a regression label)") }
                label = .value(value)
            }
        }
        do {
            switch plan.mode {
            case .labels:
                guard let label else { throw RowProblem(column: plan.labelColumn ?? "", detail: "empty: a label row needs a label") }
                try logger.logLabel(requestID: requestID, label: label, timestamp: timestamp)
            case .inferences:
                var features: [FeatureValue] = []
                for (i, column) in columns.features.enumerated() {
                    let text = cell(column) ?? ""
                    if plan.schema.features[i].kind == .categorical {
                        features.append(text.isEmpty ? .missing : .string(text))
                    } else if text.isEmpty {
                        features.append(.missing)
                    } else {
                        features.append(.number(try number(column, plan.featureColumns[i])))
                    }
                }
                let outcome: InferenceRecord.Outcome
                if let prediction = columns.prediction {
                    outcome = .prediction(try number(prediction, plan.predictionColumn ?? ""))
                } else {
                    outcome = .probabilities(try columns.probabilities.enumerated().map { try number($1, plan.probabilityColumns[$0]) })
                }
                var latency = Duration.zero
                if let column = columns.latency, let text = cell(column), !text.isEmpty {
                    let ms = try number(column, plan.latencyColumn ?? "")
                    guard ms.isFinite, ms >= 0, ms < 1e12 else { throw RowProblem(column: plan.latencyColumn ?? "", detail: "latency \(ms) ms must be a finite number ≥ 0") }
                    latency = .microseconds(Int64((ms * 1000).rounded()))
                }
                try logger.log(features: features, outcome: outcome, requestID: requestID, latency: latency, timestamp: timestamp, label: label)
            }
        } catch let error as LoggerError {
            throw RowProblem(column: column(for: error.field), detail: error.description)
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
