import Driftline
import DriftlineLog
import Foundation

/// `driftline ingest`: logs the rows of a CSV file through `InferenceLogger`, resumably.
///
/// Resuming: the partition's writer id is derived from the file's identity (its real path, see
/// ``defaultWriterID(for:)``) unless one is given. Before logging, the rows this partition already holds
/// for the same model version and schema are read back, and every CSV row whose record is already there is
/// skipped (counted per identical record, so a file with repeated rows keeps them all). A run that failed,
/// was killed (`kill -9`) or rejected rows can therefore be re-run as it was, or after the rejected rows
/// are fixed: what was durably written is not written twice, and what was not (the rows after the kill, the
/// fixed rows) is. Without a timestamp column the records' times are "now", so the time is left out of the
/// comparison.
///
/// Labels (``IngestPlan/Mode/labels``) are checked against the classes of the model version whose
/// prediction has the label's request id, and written under that version's schema (a label is stored as
/// its class's index in the schema). A label whose prediction is not in the log is checked against the
/// plan's version.
public struct CSVIngestion {
    /// What a run did.
    public struct Outcome: Sendable {
        /// Rows newly written to the log.
        public var written = 0
        /// Rows that the partition already held from an earlier run of the same file (not written again).
        public var skipped = 0
        /// Rows reported and not written.
        public var rejected = 0
        /// Labels whose request id has no prediction in the log (checked against the plan's version).
        public var unmatchedLabels = 0
        /// The partition folder written to.
        public var partitionFolder = ""
        /// Its writer id.
        public var writerID = ""
    }

    public let path: String
    public let plan: IngestPlan
    public let logDirectory: String
    public let endpoint: String
    public let writerID: String

    /// An ingestion of `path` into `<logDirectory>/<endpoint>/<writerID>` (default: ``defaultWriterID(for:)``).
    public init(path: String, plan: IngestPlan, logDirectory: String, endpoint: String, writerID: String? = nil) {
        self.path = path
        self.plan = plan
        self.logDirectory = logDirectory
        self.endpoint = endpoint
        self.writerID = writerID ?? Self.defaultWriterID(for: path)
    }

    /// `csv-<file name>-<16 hex digits of a hash of the file's real path>`: the same file gets the same
    /// partition on every run, two files never share one.
    public static func defaultWriterID(for path: String) -> String {
        let real = URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325  // FNV-1a
        for byte in real.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        let name = URL(fileURLWithPath: real).deletingPathExtension().lastPathComponent
        let safe = String(name.unicodeScalars.prefix(40).map { scalar -> Character in
            let ok = ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar) || scalar == "-" || scalar == "_"
            return ok ? Character(scalar) : "_"
        })
        let hex = String(hash, radix: 16)
        return "csv-\(safe.isEmpty ? "file" : safe)-" + String(repeating: "0", count: 16 - hex.count) + hex
    }

    /// Logs the file's rows (skipping those an earlier run wrote); `reject` gets each refused row's line and why.
    public func run(reject: (_ line: Int, _ problem: RowProblem) -> Void) async throws(IngestError) -> Outcome {
        switch plan.mode {
        case .inferences: return try await runInferences(reject: reject)
        case .labels: return try await runLabels(reject: reject)
        }
    }

    // MARK: - Inferences

    func runInferences(reject: (Int, RowProblem) -> Void) async throws(IngestError) -> Outcome {
        let logger = try open(modelVersion: plan.modelVersion, schema: plan.schema)
        var outcome = Outcome(partitionFolder: logger.partitionFolder, writerID: writerID)
        let validation = RowValidation(schema: plan.schema)
        var written: [[UInt8]: Int]
        do { written = try alreadyWritten(in: logger.partitionFolder, modelVersion: plan.modelVersion, schema: plan.schema) } catch {
            await logger.close()
            throw error
        }
        var failure: IngestError?
        do {
            let rows = try CSVRecords(path: path, plan: plan).forEach(reject: reject) { line, row in
                guard case .inference(let record) = row else { return }
                if let key = try? validation.encoding(comparable(record)), let count = written[key], count > 0 {
                    written[key] = count - 1
                    outcome.skipped += 1
                    return
                }
                do { try logger.log(record) } catch let error as LoggerError {
                    if let invalid = error.validation { throw RowProblem(column: plan.column(for: invalid.field), detail: RowValidation.message(invalid)) }
                    throw IngestError.write("writing line \(line) to \(logger.partitionFolder) failed: \(error)", resume: true)
                }
                outcome.written += 1
            }
            outcome.rejected = rows.rejected
        } catch let error as IngestError {
            failure = error
        } catch let error as CSVFileError {
            failure = IngestError.file(error.description)
        } catch {
            failure = IngestError.write("\(error)", resume: true)
        }
        try await finish(logger, failure: failure)
        return outcome
    }

    /// The record as compared with what the log holds: without its time when the time is "now".
    func comparable(_ record: InferenceRecord) -> InferenceRecord {
        guard plan.timestampColumn == nil else { return record }
        var copy = record
        copy.timestamp = Timestamp(microsecondsSinceEpoch: 0)
        return copy
    }

    func comparable(_ record: LabelRecord) -> LabelRecord {
        guard plan.timestampColumn == nil else { return record }
        var copy = record
        copy.timestamp = Timestamp(microsecondsSinceEpoch: 0)
        return copy
    }

    /// The encodings of the inference records (`labels == false`) or label records the partition holds
    /// for `modelVersion` and `schema`, with how often each occurs.
    func alreadyWritten(in folder: String, modelVersion: String, schema: ModelSchema, labels: Bool = false) throws(IngestError) -> [[UInt8]: Int] {
        let validation = RowValidation(schema: schema)
        var counts: [[UInt8]: Int] = [:]
        do throws(LogError) {
            let reader = try PartitionReader(partition: folder)
            while true {
                let events = try reader.read()
                if events.isEmpty { break }
                for case .records(let batch) in events where batch.manifest.modelVersion == modelVersion && batch.manifest.schema == schema {
                    for record in batch.records {
                        switch record {
                        case .inference(let inference) where !labels:
                            if let key = try? validation.encoding(comparable(inference)) { counts[key, default: 0] += 1 }
                        case .label(let label) where labels:
                            if let key = try? validation.encoding(comparable(label)) { counts[key, default: 0] += 1 }
                        default: break
                        }
                    }
                }
            }
        } catch {
            throw .write("cannot read back \(folder) to resume: \(error)", resume: false)
        }
        return counts
    }

    // MARK: - Labels

    func runLabels(reject: (Int, RowProblem) -> Void) async throws(IngestError) -> Outcome {
        var labels: [(line: Int, record: LabelRecord)] = []
        var outcome = Outcome(writerID: writerID)
        do {
            let rows = try CSVRecords(path: path, plan: plan).forEach(reject: reject) { line, row in
                if case .label(let label) = row { labels.append((line, label)) }
            }
            outcome.rejected = rows.rejected
        } catch let error as CSVFileError {
            throw .file(error.description)
        } catch {
            throw .file("\(error)")
        }
        let predictedBy = try predictions(of: Set(labels.map(\.record.requestID)))
        // Group by the version that made the prediction, keeping the file's order within a version.
        var order: [String] = []
        var groups: [String: (manifest: PartitionManifest?, labels: [(line: Int, record: LabelRecord)])] = [:]
        for label in labels {
            let manifest = predictedBy[label.record.requestID]
            if manifest == nil { outcome.unmatchedLabels += 1 }
            let version = manifest?.modelVersion ?? plan.modelVersion
            if groups[version] == nil {
                order.append(version)
                groups[version] = (manifest, [])
            }
            groups[version]?.labels.append(label)
        }
        for version in order {
            guard let group = groups[version] else { continue }
            let schema = group.manifest?.schema ?? plan.schema
            let validation = RowValidation(schema: schema)
            var valid: [(line: Int, record: LabelRecord)] = []
            for label in group.labels {
                do { try validation.check(label: label.record.label) } catch {
                    outcome.rejected += 1
                    let whose = predictedBy[label.record.requestID] != nil
                        ? "the version that predicted request \(CSVText.quoted(label.record.requestID.description))"
                        : "request \(CSVText.quoted(label.record.requestID.description)) has no prediction in the log, so the endpoint's version \(version) is assumed"
                    let classes = schema.task.classes.isEmpty ? "it is a regression: labels are numbers" : "its classes are \(schema.task.classes.joined(separator: ", "))"
                    reject(label.line, RowProblem(column: plan.labelColumn ?? "label", detail: "label \(CSVText.quoted(label.record.label.description)) is not a label of model version "
                        + "\(CSVText.quoted(version)) (\(whose)); \(classes): fix the label"))
                    continue
                }
                valid.append(label)
            }
            if valid.isEmpty { continue }
            let logger = try open(modelVersion: version, schema: schema)
            outcome.partitionFolder = logger.partitionFolder
            var written: [[UInt8]: Int]
            do { written = try alreadyWritten(in: logger.partitionFolder, modelVersion: version, schema: schema, labels: true) } catch {
                await logger.close()
                throw error
            }
            var failure: IngestError?
            for label in valid {
                if let key = try? validation.encoding(comparable(label.record)), let count = written[key], count > 0 {
                    written[key] = count - 1
                    outcome.skipped += 1
                    continue
                }
                do { try logger.logLabel(requestID: label.record.requestID, label: label.record.label, timestamp: label.record.timestamp) } catch {
                    if let invalid = error.validation {
                        outcome.rejected += 1
                        reject(label.line, RowProblem(column: plan.column(for: invalid.field), detail: RowValidation.message(invalid)))
                        continue
                    }
                    failure = .write("writing line \(label.line) to \(logger.partitionFolder) failed: \(error)", resume: true)
                    break
                }
                outcome.written += 1
            }
            try await finish(logger, failure: failure)
        }
        if outcome.partitionFolder.isEmpty { outcome.partitionFolder = "\(logDirectory)/\(endpoint)/\(writerID)" }
        return outcome
    }

    /// The manifest (model version and schema) of the prediction of each of `ids` found in the endpoint's log.
    func predictions(of ids: Set<RequestID>) throws(IngestError) -> [RequestID: PartitionManifest] {
        var found: [RequestID: PartitionManifest] = [:]
        guard !ids.isEmpty else { return found }
        do throws(LogError) {
            for partition in try LogDirectory(logDirectory).partitions(endpoint: endpoint) {
                let reader = try PartitionReader(partition: partition.path)
                while true {
                    let events = try reader.read()
                    if events.isEmpty { break }
                    for case .records(let batch) in events {
                        for case .inference(let record) in batch.records where ids.contains(record.requestID) && found[record.requestID] == nil {
                            found[record.requestID] = batch.manifest
                        }
                    }
                }
            }
        } catch {
            throw .write("cannot read the predictions of endpoint \(endpoint) in \(logDirectory): \(error)", resume: false)
        }
        return found
    }

    // MARK: - Logger

    func open(modelVersion: String, schema: ModelSchema) throws(IngestError) -> InferenceLogger {
        do {
            return try InferenceLogger(
                directory: logDirectory, endpoint: endpoint, modelVersion: modelVersion, schema: schema,
                options: .init(writerID: writerID, bufferPolicy: .block(timeout: .seconds(30))))
        } catch {
            throw .open("cannot open the log partition \(logDirectory)/\(endpoint)/\(writerID): \(error)")
        }
    }

    /// Flushes and closes `logger`; throws `failure`, or the flush's error, with the way to resume.
    func finish(_ logger: InferenceLogger, failure: IngestError?) async throws(IngestError) {
        do {
            try await logger.flush()
        } catch {
            await logger.close()
            throw failure ?? .write("flushing \(logger.partitionFolder) failed: \(error)", resume: true)
        }
        await logger.close()
        if let failure { throw failure }
    }
}
