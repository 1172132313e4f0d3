import Logging
import ServiceLifecycle
import Synchronization

/// Runs a ``LogTail`` as a `Service`: follows the log until graceful shutdown (SIGTERM/SIGINT through a
/// `ServiceGroup`), then commits what it accumulated, closes the tail and returns.
///
/// ```swift
/// let service = TailService(tail: tail)        // the tail is sent: only the service touches it now
/// let group = ServiceGroup(configuration: .init(
///     services: [.init(service: service, successTerminationBehavior: .gracefullyShutdownGroup)],
///     gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
/// try await group.run()
/// print(service.finish())                       // the run's summary
/// ```
///
/// A `LogTail` is not `Sendable` (it is not thread-safe); a service must be. The tail is therefore *sent* into
/// the service (`sending`), kept behind a `Mutex` while no task drives it, and taken out by the one `run()`
/// that drives it: no two tasks can reach it.
public struct TailService: Service {
    private let state: TailServiceState

    /// A service for `tail`; the caller gives the tail up (it is sent into the service).
    public init(tail: sending LogTail) {
        state = TailServiceState(tail)
    }

    /// Follows the log until graceful shutdown, then commits and closes the tail. A second `run()` returns at
    /// once: the tail has one driver.
    public func run() async throws {
        guard let tail = state.takeTail() else { return }
        defer {
            state.finished(summary: tail.runSummaryText)
            tail.close()
        }
        let stopping = StopFlag()
        try await withGracefulShutdownHandler {
            try await tail.run(until: { stopping.isSet || Task.isCancelled })
        } onGracefulShutdown: {
            stopping.set()
        }
    }

    /// The tail's run summary (``LogTail/runSummaryText``) once ``run()`` returned; when `run()` never took
    /// the tail (the group failed first), the tail is closed here.
    public func finish() -> String {
        if let tail = state.takeTail() {
            let summary = tail.runSummaryText
            tail.close()
            return summary
        }
        return state.summary ?? ""
    }
}

/// The service's tail while no task drives it, and the summary after: both under a `Mutex`, so the state is
/// `Sendable` by construction (no `@unchecked`).
final class TailServiceState: Sendable {
    private let tail: Mutex<LogTail?>
    private let summaryText = Mutex<String?>(nil)

    init(_ tail: sending LogTail) {
        self.tail = Mutex(tail)
    }

    /// The tail, moved out (nil once taken).
    func takeTail() -> sending LogTail? {
        tail.withLock { $0.take() }
    }

    func finished(summary: String) {
        summaryText.withLock { $0 = summary }
    }

    var summary: String? { summaryText.withLock { $0 } }
}

/// A flag set once from any thread.
final class StopFlag: Sendable {
    private let value = Atomic<Bool>(false)
    var isSet: Bool { value.load(ordering: .acquiring) }
    func set() { value.store(true, ordering: .releasing) }
}

extension TailService {
    /// Runs `tail` (and, when `metricsPort` is given, a ``MetricsServer`` on `metricsHost`) until SIGTERM or
    /// SIGINT; then the tail commits what it accumulated and is closed, and this returns its run summary.
    /// The tail is sent: the caller no longer touches it.
    public static func runUntilSignalled(tail: sending LogTail, metricsHost: String = "127.0.0.1", metricsPort: Int? = nil,
                                         logger: Logger = Logger(label: "driftline.tail")) async throws -> String {
        let registry = tail.metrics.registry
        let service = TailService(tail: tail)
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(service: service, successTerminationBehavior: .gracefullyShutdownGroup,
                  failureTerminationBehavior: .gracefullyShutdownGroup)
        ]
        do {
            if let metricsPort {
                let server = try await MetricsServer.start(registry: registry, host: metricsHost, port: metricsPort)
                logger.info("serving /metrics on \(metricsHost):\(server.port)")
                services.append(.init(service: server))
            }
            let group = ServiceGroup(configuration: ServiceGroupConfiguration(
                services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
            try await group.run()
        } catch {
            _ = service.finish()
            throw error
        }
        return service.finish()
    }
}
