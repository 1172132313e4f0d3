import Driftline
import Foundation
import PipelineFile
import Synchronization

/// The collector's core, independent of HTTP: decodes native records, labels and KServe CloudEvents for the
/// endpoints of the pipeline file and writes them through one ``InferenceLogger`` per endpoint and model
/// version. Every record is validated by the logger (the one place that judges records).
///
/// Delivery guarantee: a 2xx answer means every accepted record is in the log's in-memory buffer (written to
/// the OS within 100 ms and fsynced within 1 s unless the disk fails); with `sync` it means they are written
/// and fsynced. A 503 means nothing of the request was logged: retry it after `Retry-After`.
///
/// ```swift
/// let collector = try Collector(logDirectory: "/var/lib/driftline/log", config: config, writerID: "collect-a")
/// let answer = await collector.records(endpoint: "iris", body: Array(#"[{"features": ...}]"#.utf8), sync: false)
/// await collector.close()
/// ```
public final class Collector: Sendable {
    /// The pipeline file's settings.
    public let config: CollectSection
    /// The metrics `/metrics` serves.
    public let metrics: CollectorMetrics
    let endpoints: [String: EndpointLoggers]
    let endpointOrder: [String]
    let pairing: Mutex<PairingTable<HeldHalf>>
    private let closing = Atomic<Bool>(false)

    /// The largest body accepted when the pipeline file sets no `body_limit`: 8 MiB.
    public static let defaultBodyLimitBytes = 8 << 20
    /// How long a CloudEvent waits for its other half when the file sets no `pair_timeout`: 60 s.
    public static let defaultPairTimeout = Duration.seconds(60)
    /// Unpaired CloudEvents held at most when the file sets no `pair_capacity`.
    public static let defaultPairCapacity = 10_000
    /// Bytes of unpaired CloudEvent bodies held at most when the file sets no `pair_memory`: 64 MiB.
    public static let defaultPairMemoryBytes = 64 << 20

    /// Checks the endpoints against DriftlineCore's rules and opens a partition for each configured model version.
    ///
    /// - Parameters:
    ///   - configPath: names the pipeline file in errors.
    ///   - writerID: the base of every partition's writer id (unique per collector; stable across its restarts).
    /// - Throws: ``CollectError`` naming the key or the partition that cannot be used.
    public init(
        logDirectory: String, config: CollectSection, configPath: String = "<config>", writerID: String,
        loggerOptions: InferenceLogger.Options = InferenceLogger.Options(), metrics: CollectorMetrics = CollectorMetrics()
    ) throws(CollectError) {
        do throws(ValidationError) {
            _ = try PathComponent(writerID, field: "writer id")
        } catch {
            throw CollectError("--writer-id: \(error)")
        }
        var endpoints: [String: EndpointLoggers] = [:]
        for endpoint in config.endpoints {
            let mapping = try EndpointMapping(endpoint, path: configPath)
            endpoints[endpoint.name] = EndpointLoggers(mapping: mapping, directory: logDirectory, writerID: writerID, options: loggerOptions)
        }
        guard !endpoints.isEmpty else { throw CollectError.config(path: configPath, "collect.endpoints is empty: name at least one endpoint") }
        self.config = config
        self.metrics = metrics
        self.endpoints = endpoints
        self.endpointOrder = config.endpoints.map(\.name)
        pairing = Mutex(PairingTable(
            timeout: config.pairTimeout ?? Self.defaultPairTimeout, capacity: config.pairCapacity ?? Self.defaultPairCapacity,
            memoryBytes: config.pairMemoryBytes ?? Self.defaultPairMemoryBytes))
        for name in endpointOrder {
            guard let loggers = endpoints[name], loggers.mapping.config.modelVersion != nil else { continue }
            do throws(RequestRejection) {
                _ = try loggers.logger(version: nil)
            } catch {
                // The partitions opened so far close when their loggers are released (InferenceLogger's deinit).
                throw CollectError("cannot open the log of endpoint \(name): \(error.message)")
            }
        }
    }

    /// Checks every endpoint of `config` as ``init(logDirectory:config:configPath:writerID:loggerOptions:metrics:)``
    /// does, without opening the log.
    public static func check(_ config: CollectSection, path: String) throws(CollectError) {
        guard !config.endpoints.isEmpty else { throw CollectError.config(path: path, "collect.endpoints is empty: name at least one endpoint") }
        for endpoint in config.endpoints { _ = try EndpointMapping(endpoint, path: path) }
    }

    /// The largest body accepted.
    public var bodyLimitBytes: Int { config.bodyLimitBytes ?? Self.defaultBodyLimitBytes }

    /// Ready from start (every configured partition opened) until ``close()`` begins.
    public var isReady: Bool { !closing.load(ordering: .acquiring) }

    func unknownEndpoint(_ name: String) -> RequestRejection {
        RequestRejection(
            status: 404, code: "unknown_endpoint", field: "endpoint",
            message: "unknown endpoint \(name.debugDescription): this collector serves \(endpointOrder.joined(separator: ", ")); add it to the collect: section of the pipeline file")
    }

    // MARK: - Native records and labels

    /// `POST /v1/endpoints/{endpoint}/records`: a JSON array or JSON lines of records.
    public func records(endpoint name: String, body: [UInt8], sync: Bool) async -> CollectorAnswer {
        await native(endpoint: name, body: body, sync: sync, source: "records").settle()
    }

    /// `POST /v1/endpoints/{endpoint}/labels`: a JSON array or JSON lines of delayed labels.
    public func labels(endpoint name: String, body: [UInt8], sync: Bool) async -> CollectorAnswer {
        await native(endpoint: name, body: body, sync: sync, source: "labels").settle()
    }

    /// Decodes and logs native records (`source` "records") or labels ("labels") without waiting.
    func native(endpoint name: String, body: [UInt8], sync: Bool, source: String) -> CollectorReply {
        metrics.requestBytes.increment(by: Int64(body.count))
        guard let loggers = endpoints[name] else { return CollectorReply(refuse(unknownEndpoint(name))) }
        var items: [NativeItem] = []
        var rejected: [(Int, RequestRejection)] = []
        do throws(RequestRejection) {
            try body.withUnsafeBytes { raw in Result { () throws(RequestRejection) in
                let slices = try NativeRecords.split(raw)
                guard !slices.isEmpty else {
                    throw RequestRejection(status: 400, code: "invalid_record", message: "the body holds no \(source); send a JSON array or JSON lines")
                }
                items.reserveCapacity(slices.count)
                for (index, slice) in slices.enumerated() {
                    let bytes = UnsafeRawBufferPointer(rebasing: raw[slice])
                    do throws(RequestRejection) {
                        items.append(source == "labels"
                            ? try NativeRecords.label(bytes, index: index)
                            : try NativeRecords.record(bytes, index: index, mapping: loggers.mapping))
                    } catch {
                        rejected.append((index, error))
                    }
                }
            } }.get()
        } catch {
            return CollectorReply(refuse(error, endpoint: name))
        }
        return write(items, rejected: rejected, to: loggers, source: source, sync: sync)
    }

    /// Answers a refused request (nothing of it was read into records) and counts it.
    func refuse(_ rejection: RequestRejection, endpoint: String? = nil) -> CollectorAnswer {
        if rejection.status == 503, let endpoint {
            metrics.overloaded(endpoint: endpoint)
        } else {
            metrics.requestRejected(reason: rejection.code)
        }
        return CollectorAnswer(rejection)
    }

    // MARK: - Durability and shutdown

    /// `POST /v1/flush`: answers once everything accepted before it is written and fsynced.
    public func flush() async -> CollectorAnswer {
        for name in endpointOrder {
            do throws(LoggerError) {
                try await endpoints[name]?.flush()
            } catch {
                return CollectorAnswer(RequestRejection(status: 500, code: "not_durable", message: "the flush of \(name) failed: \(error); check the log folder's disk"))
            }
        }
        return CollectorAnswer(status: 200, body: JSONText.object([("durable", "true")]))
    }

    /// The Prometheus text of `/metrics`, with the pairing table's and the loggers' counters brought up to date.
    public func renderMetrics() -> [UInt8] {
        let now = MonotonicNanos.now()
        let (unpaired, pending) = pairing.withLock { table in
            table.expire(now: now)
            return (table.unpaired, table.pendingCount)
        }
        var counts: [String: Int] = [:]
        for (half, count) in unpaired {
            counts["\(half.rawValue)/timeout"] = count.timedOut
            counts["\(half.rawValue)/evicted"] = count.evicted
        }
        metrics.unpaired(counts, pending: pending)
        for name in endpointOrder {
            for (version, logger) in endpoints[name]?.all ?? [] {
                let statistics = logger.statistics
                metrics.logRecords(endpoint: name, modelVersion: version, logged: statistics.logged, written: statistics.written,
                                   synced: statistics.synced, writeFailed: statistics.droppedWriteFailed)
            }
        }
        return metrics.render()
    }

    /// Refuses further writes, then flushes and closes every logger (what SIGTERM does after the server stopped).
    public func close() async {
        closing.store(true, ordering: .releasing)
        for name in endpointOrder { await endpoints[name]?.close() }
    }

    /// The loggers' counters, for the shutdown summary.
    public var statistics: [(endpoint: String, modelVersion: String, statistics: LoggerStatistics)] {
        endpointOrder.flatMap { name in (endpoints[name]?.all ?? []).map { (name, $0.version, $0.logger.statistics) } }
    }
}

/// Monotonic time in nanoseconds.
enum MonotonicNanos {
    static func now() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return UInt64(spec.tv_sec) &* 1_000_000_000 &+ UInt64(spec.tv_nsec)
    }
}
