import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import PipelineFile
import ServiceLifecycle
import Synchronization

/// Runs a ``Collector`` behind its HTTP API until SIGTERM or SIGINT, then shuts down without losing what it
/// acknowledged: it stops taking connections, lets each connection finish the request it is in (its answer
/// says `Connection: close`) and closes the idle ones, waits for them (at most 10 s), then flushes, fsyncs and
/// closes the loggers, and ``run(collector:listen:token:logger:onListening:)`` returns.
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
        let connections = OpenConnections()
        let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                connections.insert(channel)
                return channel.eventLoop.makeCompletedFuture {
                    // Not reading a client that does not read its answers (they would pile up in memory).
                    try channel.pipeline.syncOperations.addHandler(BackPressureHandler())
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(CollectorHTTPHandler(routes: routes))
                }
            }
        let channel = try await bootstrap.bind(host: listen.host, port: listen.port).get()
        onListening(ListenAddress(host: listen.host, port: channel.localAddress?.port ?? listen.port).description)
        let listener = CollectorListener(channel: channel, collector: collector, connections: connections)
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: [listener], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}

/// The connections open now, so that shutdown can quiesce them and wait for them.
final class OpenConnections: Sendable {
    private let channels = Mutex<[ObjectIdentifier: any Channel]>([:])

    func insert(_ channel: any Channel) {
        let key = ObjectIdentifier(channel)
        channels.withLock { $0[key] = channel }
        channel.closeFuture.whenComplete { _ in self.channels.withLock { _ = $0.removeValue(forKey: key) } }
    }

    var open: [any Channel] { channels.withLock { Array($0.values) } }
}

/// The listening socket as a service. On graceful shutdown (or cancellation): close it, ask every connection
/// to finish its request and close (NIO's `ChannelShouldQuiesceEvent`), wait for them at most
/// ``CollectorListener/connectionGrace``, close the collector (everything accepted is written and fsynced),
/// close what is left.
struct CollectorListener: Service {
    let channel: any Channel
    let collector: Collector
    let connections: OpenConnections

    static let connectionGrace = Duration.seconds(10)

    func run() async throws {
        await withTaskCancellationOrGracefulShutdownHandler {
            try? await channel.closeFuture.get()
        } onCancelOrGracefulShutdown: {
            channel.close(promise: nil)
        }
        try? await channel.closeFuture.get()  // no connection is accepted after this
        for connection in connections.open {
            connection.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
        }
        let deadline = ContinuousClock.now + Self.connectionGrace
        while !connections.open.isEmpty, ContinuousClock.now < deadline, !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(10))
        }
        await collector.close()
        for connection in connections.open { connection.close(promise: nil) }
    }
}
