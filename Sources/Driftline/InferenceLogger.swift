#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import DriftlineCore
import DriftlineLog
import Foundation
import Synchronization

/// Logs a model's inferences into the Driftline log, from serving code, without ever waiting for the disk.
///
/// ```swift
/// let logger = try InferenceLogger(
///     directory: "/var/lib/driftline/log", endpoint: "iris", modelVersion: "3",
///     schema: ModelSchema(features: [.numeric("sepal_length"), .numeric("petal_width"), .categorical("region")],
///                         task: .classification(classes: ["setosa", "versicolor", "virginica"])))
/// try logger.log(features: [5.1, 0.2, "eu"], probabilities: [0.91, 0.06, 0.03],
///                requestID: try RequestID("req-1"), latency: .microseconds(850))
/// try logger.logLabel(requestID: try RequestID("req-1"), label: "setosa")   // ground truth, often hours later
/// try await logger.flush()                                                   // durability point
/// await logger.close()
/// ```
///
/// `log` validates the record against the schema (a ``LoggerError`` of kind ``LoggerError/Kind/invalid`` names
/// the field; nothing invalid reaches the log), encodes it into a bounded in-memory buffer and returns; it never
/// does I/O. A background thread cuts the buffer into batches, compresses and writes them to the partition
/// `<directory>/<endpoint>/<writer-id>/`, hands them to the OS every 100 ms or 256 KiB and fsyncs every second.
/// When the buffer is full the ``BufferPolicy`` applies; when the disk fails (full, I/O errors) the records
/// concerned are dropped and counted in ``statistics`` and writing resumes when it can. Thread-safe.
public final class InferenceLogger: Sendable {
    let core: LoggerCore

    /// The endpoint's schema.
    public let schema: ModelSchema
    /// The partition folder this logger writes, `<directory>/<endpoint>/<writer-id>`.
    public let partitionFolder: String

    /// Opens (creating when needed) this process's partition of `endpoint` under `directory` and starts the writer thread.
    ///
    /// - Throws: ``LoggerError``: ``LoggerError/Kind/invalid`` for an unsafe endpoint, writer id or model version
    ///   (the error names the field), ``LoggerError/Kind/openFailed`` when the partition is locked by another
    ///   writer or cannot be created.
    public init(
        directory: String, endpoint: String, modelVersion: String, schema: ModelSchema, options: Options = Options()
    ) throws(LoggerError) {
        let manifest: PartitionManifest
        let writerID = options.writerID ?? Self.defaultWriterID()
        do throws(ValidationError) {
            manifest = try PartitionManifest(endpoint: endpoint, modelVersion: modelVersion, schema: schema)
            _ = try PathComponent(writerID, field: "writerID")
        } catch {
            throw LoggerError.invalid(error)
        }
        guard options.bufferBytes >= 1024 else {
            throw LoggerError.invalid(ValidationError(.outOfRange, field: "options.bufferBytes", value: "\(options.bufferBytes)", detail: "the buffer needs at least 1 KiB"))
        }
        let partitionOptions = options.partition
        let open: @Sendable () throws(LogError) -> sending PartitionWriter = {
            () throws(LogError) -> sending PartitionWriter in
            try PartitionWriter(logDirectory: directory, writerID: writerID, manifest: manifest, options: partitionOptions)
        }
        let writer: PartitionWriter
        do throws(LogError) {
            writer = try open()
        } catch {
            if let validation = error.validation { throw LoggerError.invalid(validation) }
            throw LoggerError(.openFailed, detail: "cannot open the log partition: \(error)", logError: error)
        }
        self.partitionFolder = writer.folder
        core = LoggerCore(sink: writer, reopen: open, options: options)   // the writer thread owns it from here
        self.schema = schema
        core.startWriterThread(name: "driftline-writer-\(endpoint)")
    }

    /// Opens the partition under the folder at `directory` (a file URL).
    public convenience init(
        directory: URL, endpoint: String, modelVersion: String, schema: ModelSchema, options: Options = Options()
    ) throws(LoggerError) {
        try self.init(directory: directory.path, endpoint: endpoint, modelVersion: modelVersion, schema: schema, options: options)
    }

    deinit {
        core.requestClose(nil)
    }

    /// `<hostname>-<pid>`, made a safe folder name.
    static func defaultWriterID() -> String {
        var name = [CChar](repeating: 0, count: 256)
        let host = gethostname(&name, name.count) == 0
            ? String(decoding: name.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self) : "host"
        let safe = String(host.unicodeScalars.map { scalar -> Character in
            scalar == "/" || scalar == "\\" || scalar.value < 0x20 || scalar.value >= 0x7F ? "_" : Character(scalar)
        }).replacingOccurrences(of: "..", with: "_")
        return "\(safe.isEmpty ? "host" : safe)-\(getpid())"
    }

    // MARK: - Logging

    /// Logs a classification: one probability per class, in the schema's class order.
    ///
    /// - Parameters:
    ///   - features: one value per schema feature, in order (NaN = missing).
    ///   - probabilities: finite, in [0, 1], summing to 1 within 1e-3.
    ///   - requestID: joins a later ``logLabel(requestID:label:timestamp:)``.
    ///   - latency: how long the model took (≥ 0).
    ///   - timestamp: event time (default: now).
    ///   - label: the true class when it is known at serving time.
    /// - Throws: ``LoggerError`` of kind ``LoggerError/Kind/invalid`` naming the field; the logger stays usable.
    @inlinable
    public func log(
        features: [FeatureValue], probabilities: [Double], requestID: RequestID = .none, latency: Duration = .zero,
        timestamp: Timestamp = .now(), label: Label? = nil
    ) throws(LoggerError) {
        try log(features: features, outcome: .probabilities(probabilities), requestID: requestID, latency: latency, timestamp: timestamp, label: label)
    }

    /// Logs a regression: the predicted value (finite).
    @inlinable
    public func log(
        features: [FeatureValue], prediction: Double, requestID: RequestID = .none, latency: Duration = .zero,
        timestamp: Timestamp = .now(), label: Double? = nil
    ) throws(LoggerError) {
        try log(features: features, outcome: .prediction(prediction), requestID: requestID, latency: latency, timestamp: timestamp, label: label.map(Label.value))
    }

    /// Logs an inference that failed, with a short error code such as `timeout` (1–256 bytes).
    @inlinable
    public func log(
        features: [FeatureValue], error code: String, requestID: RequestID = .none, latency: Duration = .zero,
        timestamp: Timestamp = .now()
    ) throws(LoggerError) {
        try log(features: features, outcome: .error(code), requestID: requestID, latency: latency, timestamp: timestamp, label: nil)
    }

    /// Logs an inference with any outcome.
    public func log(
        features: [FeatureValue], outcome: InferenceRecord.Outcome, requestID: RequestID = .none, latency: Duration = .zero,
        timestamp: Timestamp = .now(), label: Label? = nil
    ) throws(LoggerError) {
        let micros = latency.wholeMicroseconds
        try core.append(timestamp: timestamp) { (encoder, bytes) throws(ValidationError) in
            try encoder.appendInference(
                timestamp: timestamp, requestID: requestID, features: features, outcome: outcome,
                latencyMicroseconds: micros, label: label, to: &bytes)
        }
    }

    /// Logs a complete record.
    public func log(_ record: InferenceRecord) throws(LoggerError) {
        try core.append(timestamp: record.timestamp) { (encoder, bytes) throws(ValidationError) in
            try encoder.appendInference(record, to: &bytes)
        }
    }

    /// Logs the true label of an earlier inference (joined by its non-empty request id).
    ///
    /// A class name for classification (`"setosa"`), a number for regression (`.value(3.2)`).
    public func logLabel(requestID: RequestID, label: Label, timestamp: Timestamp = .now()) throws(LoggerError) {
        let record = LabelRecord(timestamp: timestamp, requestID: requestID, label: label)
        try core.append(timestamp: timestamp) { (encoder, bytes) throws(ValidationError) in
            try encoder.appendLabel(record, to: &bytes)
        }
    }

    /// Logs the class label of an earlier inference.
    public func logLabel(requestID: RequestID, label className: String, timestamp: Timestamp = .now()) throws(LoggerError) {
        try logLabel(requestID: requestID, label: .className(className), timestamp: timestamp)
    }

    // MARK: - Durability

    /// Returns once every record logged before the call is written and fsynced.
    ///
    /// - Throws: ``LoggerError`` (``LoggerError/Kind/writeFailed`` or ``LoggerError/Kind/syncFailed``) when a write
    ///   or an fsync failed since the previous flush: some records logged before this call are not durable.
    public func flush() async throws(LoggerError) {
        let result = await withCheckedContinuation { (continuation: CheckedContinuation<Result<Void, LoggerError>, Never>) in
            core.requestFlush { continuation.resume(returning: $0) }
        }
        try result.get()
    }

    /// ``flush()`` for synchronous code: blocks the calling thread at most `timeout`.
    public func flush(waitingAtMost timeout: Duration) throws(LoggerError) {
        let done = DispatchSemaphore(value: 0)
        let box = ResultBox()
        core.requestFlush { result in
            box.set(result)
            done.signal()
        }
        let nanos = max(0, timeout.wholeMicroseconds) * 1000
        guard done.wait(timeout: .now() + .nanoseconds(Int(clamping: nanos))) == .success else {
            throw LoggerError(.timedOut, detail: "flush did not complete within \(timeout); the disk may be slow: the flush goes on in the background; call flush again to wait longer, and check the disk")
        }
        try box.get()
    }

    /// Writes and fsyncs everything logged, closes the partition and stops the writer thread.
    /// Later `log` calls throw ``LoggerError/Kind/closed``. A failure is reported in ``statistics``.
    public func close() async {
        _ = await withCheckedContinuation { (continuation: CheckedContinuation<Result<Void, LoggerError>, Never>) in
            core.requestClose { continuation.resume(returning: $0) }
        }
    }

    /// ``close()`` for synchronous code: blocks the calling thread at most `timeout`.
    /// - Throws: ``LoggerError/Kind/timedOut`` when the writer thread did not finish in time (it goes on in the background).
    public func close(waitingAtMost timeout: Duration) throws(LoggerError) {
        let done = DispatchSemaphore(value: 0)
        core.requestClose { _ in done.signal() }
        let nanos = max(0, timeout.wholeMicroseconds) * 1000
        guard done.wait(timeout: .now() + .nanoseconds(Int(clamping: nanos))) == .success else {
            throw LoggerError(.timedOut, detail: "close did not complete within \(timeout); the disk may be slow: the close goes on in the background; keep the process alive a little longer, and check the disk")
        }
    }

    /// Counters since the logger opened: logged, rejected, dropped, written, synced, bytes, batches, last error.
    public var statistics: LoggerStatistics { core.statistics() }
}

/// Carries a flush result from the writer thread to a synchronously waiting caller.
final class ResultBox: Sendable {
    private let result = Mutex<Result<Void, LoggerError>>(.success(()))

    func set(_ value: Result<Void, LoggerError>) { result.withLock { $0 = value } }
    func get() throws(LoggerError) { try result.withLock { $0 }.get() }
}
