import ArgumentParser
import CSV
import DriftlineCore
import Foundation

/// Reads a CSV file with an `IngestPlan`'s column mapping and turns each row into an inference or a
/// label record; shared by `ingest` (which logs them) and `profile` (which profiles them).
struct CSVRecords {
    /// One parsed row.
    enum Row {
        case inference(InferenceRecord)
        case label(LabelRecord)
    }

    /// A row that cannot be used: its CSV column and why.
    struct RowProblem: Error {
        var column: String
        var detail: String
    }

    struct Outcome {
        var accepted = 0
        var rejected = 0
    }

    let path: String
    let plan: IngestPlan

    /// Calls `body` with every row in order; a row that does not parse, or that `body` rejects with a
    /// `RowProblem`, is reported on stderr (`file:line: column c: why`) through `reject` and skipped.
    func forEach(reject: (Int, RowProblem) -> Void, _ body: (Row) throws -> Void) throws -> Outcome {
        // Read whole: the library's stream reader reports the end of a file as an error.
        guard let data = FileManager.default.contents(atPath: path) else { throw ArgumentParser.ValidationError("--csv \(path): cannot read the file; check that it exists and is readable") }
        guard let text = String(data: data, encoding: .utf8) else { throw ArgumentParser.ValidationError("--csv \(path): not UTF-8 text; save it as UTF-8 CSV") }
        guard !text.allSatisfy(\.isWhitespace) else { throw ArgumentParser.ValidationError("--csv \(path): empty file, no header row; its first line must name the columns") }
        let reader: CSVReader
        do { reader = try CSVReader(string: text, hasHeaderRow: true) } catch {
            throw ArgumentParser.ValidationError("--csv \(path): cannot read the header row (\(error)); the file must be CSV with a header")
        }
        guard let header = reader.headerRow, !(header.count == 1 && header[0].trimmingSpaces.isEmpty) else {
            throw ArgumentParser.ValidationError("--csv \(path): empty file, no header row; its first line must name the columns")
        }
        var index: [String: Int] = [:]
        for (i, name) in header.enumerated() where index[name.trimmingSpaces] == nil { index[name.trimmingSpaces] = i }
        let needed = plan.featureColumns + plan.probabilityColumns
            + [plan.predictionColumn, plan.labelColumn, plan.timestampColumn, plan.requestIDColumn, plan.latencyColumn].compactMap { $0 }
        let missing = needed.filter { index[$0] == nil }
        guard missing.isEmpty else {
            throw ArgumentParser.ValidationError("--csv \(path): no column named \(missing.joined(separator: ", ")) (the header has \(header.joined(separator: ", "))); fix the column flags or the header")
        }
        let columns = Columns(plan: plan, index: index)
        var outcome = Outcome()
        var line = 1 + Self.lineBreaks(in: header) + 1
        while let row = reader.next() {
            let rowLine = line
            line += 1 + Self.lineBreaks(in: row)
            if row.count == 1 && row[0].isEmpty { continue }  // a blank line
            do {
                try body(try parse(row, columns: columns))
                outcome.accepted += 1
            } catch let problem as RowProblem {
                outcome.rejected += 1
                reject(rowLine, problem)
            }
        }
        if let error = reader.error {
            reject(line, RowProblem(column: "-", detail: "CSV error: \(error); stopped here"))
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

    func parse(_ row: [String], columns: Columns) throws -> Row {
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
        switch plan.mode {
        case .labels:
            guard let label else { throw RowProblem(column: plan.labelColumn ?? "", detail: "empty: a label row needs a label") }
            return .label(LabelRecord(timestamp: timestamp, requestID: requestID, label: label))
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
            var latency: Int64 = 0
            if let column = columns.latency, let text = cell(column), !text.isEmpty {
                let ms = try number(column, plan.latencyColumn ?? "")
                guard ms.isFinite, ms >= 0, ms < 1e12 else { throw RowProblem(column: plan.latencyColumn ?? "", detail: "latency \(ms) ms must be a finite number ≥ 0") }
                latency = Int64((ms * 1000).rounded())
            }
            return .inference(InferenceRecord(timestamp: timestamp, requestID: requestID, features: features, outcome: outcome,
                                              latencyMicroseconds: latency, label: label))
        }
    }
}
