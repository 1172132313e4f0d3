import DriftlineCore
import Foundation

/// Reads a CSV file with an ``IngestPlan``'s column mapping and turns each row into an inference or a label
/// record, validated exactly as `InferenceLogger` validates what it logs (``RowValidation``); shared by
/// `driftline ingest` (which logs the records) and `driftline profile` (which profiles them), so that both
/// accept and refuse the same rows.
public struct CSVRecords {
    /// One usable row.
    public enum Row: Sendable {
        case inference(InferenceRecord)
        case label(LabelRecord)
    }

    /// What became of the rows.
    public struct Outcome: Sendable {
        /// Rows handed to the body and accepted by it.
        public var accepted = 0
        /// Rows reported and skipped.
        public var rejected = 0
        public init() {}
    }

    public let path: String
    public let plan: IngestPlan
    let validation: RowValidation

    public init(path: String, plan: IngestPlan) {
        self.path = path
        self.plan = plan
        validation = RowValidation(schema: plan.schema)
    }

    /// Calls `body` with every usable row in order, with its line; a row that does not parse, breaks a
    /// validation rule or that `body` rejects with a ``RowProblem`` is handed to `reject` (its line and
    /// why) and skipped. Throws ``CSVFileError`` when the file cannot be read at all.
    public func forEach(reject: (_ line: Int, _ problem: RowProblem) -> Void, _ body: (_ line: Int, _ row: Row) throws -> Void) throws -> Outcome {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CSVFileError("--csv \(path): cannot read the file; check that it exists and is readable")
        }
        var reader = CSVReader(bytes: Array(data))
        let header: CSVReader.Row
        switch reader.next() {
        case let .row(row)?: header = row
        case let .problem(problem)?:
            throw CSVFileError("--csv \(path): cannot read the header row (\(problem)); the first line must name the columns")
        case nil:
            throw CSVFileError("--csv \(path): empty file, no header row; its first line must name the columns")
        }
        let columns = try resolve(header)
        var outcome = Outcome()
        while let item = reader.next() {
            switch item {
            case let .problem(problem):
                outcome.rejected += 1
                reject(problem.line, RowProblem(column: problem.column.map { header.fields.indices.contains($0 - 1) ? header.fields[$0 - 1] : "#\($0)" } ?? "-",
                                                detail: problem.detail))
            case let .row(row):
                do {
                    let parsed = try parse(row.fields, columns: columns)
                    try body(row.line, parsed)
                    outcome.accepted += 1
                } catch let problem as RowProblem {
                    outcome.rejected += 1
                    reject(row.line, problem)
                }
            }
        }
        return outcome
    }

    /// Column positions, resolved once from the header.
    struct Columns {
        var features: [Int]
        var probabilities: [Int]
        var prediction: Int?
        var label: Int?
        var timestamp: Int?
        var requestID: Int?
        var latency: Int?
    }

    func resolve(_ header: CSVReader.Row) throws -> Columns {
        let names = header.fields.map(\.trimmingSpaces)
        var index: [String: Int] = [:]
        for (i, name) in names.enumerated() {
            if let first = index[name] {
                throw CSVFileError("--csv \(path): line \(header.line): columns \(first + 1) and \(i + 1) of the header are both named \(CSVText.quoted(name)); "
                    + "every column needs its own name: rename one")
            }
            index[name] = i
        }
        let missing = plan.neededColumns.filter { index[$0] == nil }
        guard missing.isEmpty else {
            throw CSVFileError("--csv \(path): no column named \(missing.map { $0.count > CSVText.excerptLength ? CSVText.quoted($0) : $0 }.joined(separator: ", ")) "
                + "(the header has \(CSVText.quoted(names.joined(separator: ",")))); fix the column flags or the header")
        }
        func at(_ name: String?) -> Int? { name.flatMap { index[$0] } }
        return Columns(
            features: plan.featureColumns.compactMap { index[$0] }, probabilities: plan.probabilityColumns.compactMap { index[$0] },
            prediction: at(plan.predictionColumn), label: at(plan.labelColumn), timestamp: at(plan.timestampColumn),
            requestID: at(plan.requestIDColumn), latency: at(plan.latencyColumn))
    }

    func parse(_ row: [String], columns: Columns) throws(RowProblem) -> Row {
        func cell(_ i: Int?) -> String? { i.map { $0 < row.count ? row[$0].trimmingSpaces : "" } }
        func number(_ text: String, _ name: String, _ what: String = "a number") throws(RowProblem) -> Double {
            switch CSVText.number(text) {
            case .success(let value): return value
            case .failure(.outOfRange):
                throw RowProblem(column: name, detail: "\(CSVText.quoted(text)) is out of the range of a double; give a finite number")
            case .failure(.notDecimal):
                throw RowProblem(column: name, detail: "\(CSVText.quoted(text)) is not \(what) (plain decimal digits, e.g. 0.25 or 1e-3; "
                    + "no hex, nan or inf; an empty cell is a missing value)")
            }
        }
        let timestamp: Timestamp
        if let text = cell(columns.timestamp) {
            guard let parsed = Timestamp(parsing: text) else {
                throw RowProblem(column: plan.timestampColumn ?? "", detail: "\(CSVText.quoted(text)) is not a valid time; give ISO-8601 "
                    + "(2026-11-23T16:00:00Z, a real calendar date) or epoch seconds (1763913600)")
            }
            timestamp = parsed
        } else {
            timestamp = .now()
        }
        let requestID: RequestID
        do { requestID = try RequestID(cell(columns.requestID) ?? "") } catch {
            throw RowProblem(column: plan.requestIDColumn ?? "", detail: RowValidation.message(error))
        }
        let labelText = cell(columns.label) ?? ""
        var label: Label?
        if !labelText.isEmpty {
            if plan.schema.task.isClassification {
                label = .className(labelText)
            } else {
                label = .value(try number(labelText, plan.labelColumn ?? "", "a number (a regression label)"))
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
                    features.append(.number(try number(text, plan.featureColumns[i])))
                }
            }
            let outcome: InferenceRecord.Outcome
            if let prediction = columns.prediction {
                outcome = .prediction(try number(cell(prediction) ?? "", plan.predictionColumn ?? ""))
            } else {
                var probabilities: [Double] = []
                for (i, column) in columns.probabilities.enumerated() {
                    probabilities.append(try number(cell(column) ?? "", plan.probabilityColumns[i], "a probability"))
                }
                outcome = .probabilities(probabilities)
            }
            var latency: Int64 = 0
            if let column = columns.latency, let text = cell(column), !text.isEmpty {
                let ms = try number(text, plan.latencyColumn ?? "", "a latency in milliseconds")
                guard ms >= 0, ms < 1e12 else {
                    throw RowProblem(column: plan.latencyColumn ?? "", detail: "latency \(CSVText.quoted(text)) ms must lie in [0, 1e12)")
                }
                latency = Int64((ms * 1000).rounded())
            }
            let record = InferenceRecord(timestamp: timestamp, requestID: requestID, features: features, outcome: outcome,
                                         latencyMicroseconds: latency, label: label)
            do { try validation.check(record) } catch { throw RowProblem(column: plan.column(for: error.field), detail: RowValidation.message(error)) }
            return .inference(record)
        }
    }
}
