import Foundation
import Hummingbird
import Logging
import PipelineFile
import ServiceLifecycle

/// Runs a ``Collector`` behind its HTTP API until SIGTERM or SIGINT: then the server stops taking requests,
/// the loggers write and fsync everything accepted, and ``run(collector:listen:token:onListening:)`` returns.
///
/// ```swift
/// try await CollectorServer.run(collector: collector, listen: ListenAddress(host: "127.0.0.1", port: 8480), token: nil) { address in
///     print("listening on \(address)")
/// }
/// ```
public enum CollectorServer {
    /// Serves until SIGTERM/SIGINT; `onListening` gets `host:port` once the socket is bound.
    public static func run(
        collector: Collector, listen: ListenAddress, token: String?, logger: Logger = Logger(label: "driftline.collect"),
        onListening: @escaping @Sendable (String) -> Void
    ) async throws {
        let router = Router()
        CollectorRoutes(collector: collector, token: token).add(to: router)
        let app = Application(
            router: router,
            configuration: .init(address: .hostname(listen.host, port: listen.port), serverName: "driftline-collect"),
            services: [LogCloser(collector: collector)],
            onServerRunning: { channel in onListening(ListenAddress(host: listen.host, port: channel.localAddress?.port ?? listen.port).description) },
            logger: logger)
        try await app.runService(gracefulShutdownSignals: [.sigterm, .sigint])
    }
}

/// Keeps the loggers open while the server runs; on graceful shutdown (after the HTTP server stopped: the
/// group shuts services down in reverse order) flushes and closes them.
struct LogCloser: Service {
    let collector: Collector

    func run() async throws {
        try? await gracefulShutdown()
        await collector.close()
    }
}
