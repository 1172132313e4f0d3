import Logging
import ServiceLifecycle
import Synchronization

/// Runs a ``LogTail`` as a `Service`: follows the log until graceful shutdown (SIGTERM/SIGINT through a
/// `ServiceGroup`), then commits what it accumulated and returns.
///
/// ```swift
/// let group = ServiceGroup(configuration: .init(
///     services: [.init(service: TailService(tail: tail), successTerminationBehavior: .gracefullyShutdownGroup)],
///     gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
/// try await group.run()
/// ```
public struct TailService: Service {
    public let tail: LogTail

    public init(tail: LogTail) {
        self.tail = tail
    }

    public func run() async throws {
        let stopping = StopFlag()
        try await withGracefulShutdownHandler {
            try await tail.run(until: { stopping.isSet || Task.isCancelled })
        } onGracefulShutdown: {
            stopping.set()
        }
    }
}

/// A flag set once from any thread.
final class StopFlag: Sendable {
    private let value = Atomic<Bool>(false)
    var isSet: Bool { value.load(ordering: .acquiring) }
    func set() { value.store(true, ordering: .releasing) }
}

extension TailService {
    /// Runs `tail` (and, when `metricsPort` is given, a ``MetricsServer`` on `metricsHost`) until SIGTERM or
    /// SIGINT; then the tail commits what it accumulated and this returns.
    public static func runUntilSignalled(tail: LogTail, metricsHost: String = "127.0.0.1", metricsPort: Int? = nil,
                                         logger: Logger = Logger(label: "driftline.tail")) async throws {
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(service: TailService(tail: tail), successTerminationBehavior: .gracefullyShutdownGroup,
                  failureTerminationBehavior: .gracefullyShutdownGroup)
        ]
        if let metricsPort {
            let server = try await MetricsServer.start(registry: tail.metrics.registry, host: metricsHost, port: metricsPort)
            logger.info("serving /metrics on \(metricsHost):\(server.port)")
            services.append(.init(service: server))
        }
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}
