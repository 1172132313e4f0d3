#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import NIOCore
import NIOHTTP1
import NIOPosix
import Prometheus
import ServiceLifecycle

/// Serves a Prometheus registry as text on `GET /metrics` (HTTP/1.1, swift-nio), loopback by default.
///
/// ```swift
/// let server = try await MetricsServer.start(registry: tail.metrics.registry, host: "127.0.0.1", port: 9464)
/// // … `curl http://127.0.0.1:9464/metrics`
/// try await server.stop()
/// ```
/// As a `Service` in a `ServiceGroup`, it serves until graceful shutdown.
public final class MetricsServer: Service, Sendable {
    let channel: any Channel
    /// The port it listens on (useful when started with port 0).
    public let port: Int

    init(channel: any Channel) {
        self.channel = channel
        self.port = channel.localAddress?.port ?? 0
    }

    /// Binds `host:port` and starts serving.
    public static func start(registry: PrometheusCollectorRegistry, host: String = "127.0.0.1", port: Int) async throws -> MetricsServer {
        let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 64)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.pipeline.configureHTTPServerPipeline().flatMap {
                    channel.pipeline.addHandler(MetricsHandler(registry: registry))
                }
            }
        let channel: any Channel
        do {
            channel = try await bootstrap.bind(host: host, port: port).get()
        } catch let error as IOError where error.errnoCode == EADDRINUSE {
            throw TailError(.invalidArgument, "cannot serve /metrics on \(host):\(port): port \(port) is already in use (another tail or program listens there); "
                + "choose another --metrics-port (or tail.metrics_port), or stop the process that holds it")
        } catch {
            throw TailError(.invalidArgument, "cannot serve /metrics on \(host):\(port): \(error); check --metrics-host and --metrics-port")
        }
        return MetricsServer(channel: channel)
    }

    /// Stops listening.
    public func stop() async throws {
        try await channel.close()
    }

    /// Serves until graceful shutdown (or cancellation), then closes.
    public func run() async throws {
        await withGracefulShutdownHandler {
            try? await self.channel.closeFuture.get()
        } onGracefulShutdown: {
            self.channel.close(promise: nil)
        }
    }
}

/// Answers `GET /metrics` with the registry's text exposition, anything else with 404.
final class MetricsHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let registry: PrometheusCollectorRegistry

    init(registry: PrometheusCollectorRegistry) {
        self.registry = registry
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .head(let request) = unwrapInboundIn(data) else { return }
        let path = request.uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? request.uri
        let status: HTTPResponseStatus
        let body: [UInt8]
        if request.method == .GET || request.method == .HEAD, path == "/metrics" {
            status = .ok
            body = registry.emitToBuffer()
        } else {
            status = .notFound
            body = Array("not found: try GET /metrics\n".utf8)
        }
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: status == .ok ? "text/plain; version=0.0.4; charset=utf-8" : "text/plain")
        headers.add(name: "Content-Length", value: "\(body.count)")
        headers.add(name: "Connection", value: "close")
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: request.version, status: status, headers: headers))), promise: nil)
        if request.method != .HEAD {
            context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: body)))), promise: nil)
        }
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in channel.close(promise: nil) }
    }
}
