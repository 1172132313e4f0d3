import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import PipelineFile
import ServiceLifecycle

/// Runs a ``Collector`` behind its HTTP API until SIGTERM or SIGINT: then the server stops taking connections,
/// the loggers write and fsync everything accepted (later writes get 503 `closed`), the answers waiting for
/// that fsync are written, and ``run(collector:listen:token:logger:onListening:)`` returns.
///
/// The server is SwiftNIO's HTTP/1.1 pipeline with one handler (``CollectorHTTPHandler``) per connection, on
/// one event loop per core: a request is decoded, logged and answered on the loop that read it.
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
        let routes = CollectorRoutes(collector: collector, token: token)
        let pending = PendingAnswers()
        let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(CollectorHTTPHandler(routes: routes, pending: pending))
                }
            }
        let channel = try await bootstrap.bind(host: listen.host, port: listen.port).get()
        onListening(ListenAddress(host: listen.host, port: channel.localAddress?.port ?? listen.port).description)
        let listener = CollectorListener(channel: channel, collector: collector, pending: pending)
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: [listener], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}

/// The listening socket as a service: on graceful shutdown it stops taking connections, then closes the
/// collector (everything accepted is written and fsynced) and waits, at most 10 s, for the answers that were
/// waiting on that fsync to be written.
struct CollectorListener: Service {
    let channel: any Channel
    let collector: Collector
    let pending: PendingAnswers

    func run() async throws {
        await withGracefulShutdownHandler {
            try? await channel.closeFuture.get()
        } onGracefulShutdown: {
            channel.close(promise: nil)
        }
        await collector.close()
        let deadline = ContinuousClock.now + .seconds(10)
        while !pending.isEmpty, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(10))
        }
    }
}
