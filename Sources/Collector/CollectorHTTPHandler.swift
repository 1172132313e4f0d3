import NIOCore
import NIOHTTP1
import Synchronization

/// One connection of the collector: gathers each request's head and body, routes the whole request through
/// ``CollectorRoutes`` on the connection's event loop and writes the answer there, so that a request costs no
/// thread hop. A body over the limit is not kept (its bytes are read and dropped, memory stays bounded) and is
/// answered 413 at its end. An answer that waits for an fsync (`sync=true`, `/v1/flush`) is written when its
/// task ends; the connection's next requests wait behind it (NIO's pipelining handler keeps HTTP/1.1 order).
/// A client that does not read its answers is not read either, so its answers cannot pile up in memory.
final class CollectorHTTPHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let routes: CollectorRoutes
    let pending: PendingAnswers
    let limit: Int
    private var head: HTTPRequestHead?
    private var body: ByteBuffer?
    /// Set once the body went over the limit: its declared length, or 0.
    private var oversized: Int?
    /// Set when the request was answered before its body (413 to `Expect: 100-continue`): the rest is dropped.
    private var answeredEarly = false

    init(routes: CollectorRoutes, pending: PendingAnswers) {
        self.routes = routes
        self.pending = pending
        limit = routes.collector.bodyLimitBytes
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let request):
            head = request
            body = nil
            oversized = nil
            answeredEarly = false
            let declared = request.headers.first(name: "content-length").flatMap { Int($0) }
            if let declared, declared > limit { oversized = declared }
            guard request.headers.first(name: "expect")?.lowercased() == "100-continue" else { return }
            if let declared = oversized {
                // The client waits for our word before sending the body: refuse now, and close (it may send
                // the body anyway, and this connection cannot tell where it ends).
                answeredEarly = true
                var closing = request
                closing.headers.replaceOrAdd(name: "connection", value: "close")
                respond(context, to: closing, routes.refuse(routes.tooLarge(declared, limit: limit)))
            } else {
                context.writeAndFlush(wrapOutboundOut(.head(HTTPResponseHead(version: request.version, status: .continue))), promise: nil)
            }
        case .body(var chunk):
            guard oversized == nil else { return }
            if (body?.readableBytes ?? 0) > limit - chunk.readableBytes {
                oversized = 0
                body = nil
            } else if body == nil {
                body = chunk
            } else {
                body?.writeBuffer(&chunk)
            }
        case .end:
            guard let request = head, !answeredEarly else { return }
            head = nil
            let bytes = body.map { Array($0.readableBytesView) } ?? []
            body = nil
            let routed = routes.route(method: request.method, uri: request.uri, headers: request.headers, body: bytes, oversizedLength: oversized)
            switch routed {
            case .now(let answer):
                respond(context, to: request, answer)
            case .metrics(let text):
                respond(context, to: request, status: .ok, contentType: "text/plain; version=0.0.4; charset=utf-8",
                        body: context.channel.allocator.buffer(bytes: text))
            case .methodNotAllowed(let allow):
                let answer = CollectorAnswer(RequestRejection(
                    status: 405, code: "method_not_allowed", message: "\(request.method.rawValue) is not served here: use \(allow)"))
                respond(context, to: request, answer, extra: [("allow", allow)])
            case .later(let task):
                pending.begin()
                let promise = context.eventLoop.makePromise(of: CollectorAnswer.self)
                promise.completeWithTask(task)
                promise.futureResult.assumeIsolated().whenSuccess { answer in
                    self.respond(context, to: request, answer)
                    self.pending.end()
                }
            }
        }
    }

    func respond(_ context: ChannelHandlerContext, to request: HTTPRequestHead, _ answer: CollectorAnswer, extra: [(String, String)] = []) {
        var buffer = context.channel.allocator.buffer(capacity: answer.body.utf8.count + 1)
        buffer.writeString(answer.body)
        buffer.writeInteger(UInt8(ascii: "\n"))
        var extra = extra
        if let seconds = answer.retryAfterSeconds { extra.append(("retry-after", String(seconds))) }
        respond(context, to: request, status: HTTPResponseStatus(statusCode: answer.status), contentType: "application/json", body: buffer, extra: extra)
    }

    func respond(
        _ context: ChannelHandlerContext, to request: HTTPRequestHead, status: HTTPResponseStatus, contentType: String,
        body: ByteBuffer, extra: [(String, String)] = []
    ) {
        let keepAlive = request.isKeepAlive
        var headers = HTTPHeaders()
        headers.reserveCapacity(4 + extra.count)
        headers.add(name: "content-type", value: contentType)
        headers.add(name: "content-length", value: String(body.readableBytes))
        for (name, value) in extra { headers.add(name: name, value: value) }
        if !keepAlive {
            headers.add(name: "connection", value: "close")
        } else if request.version.major == 1 && request.version.minor == 0 {
            headers.add(name: "connection", value: "keep-alive")
        }
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: request.version, status: status, headers: headers))), promise: nil)
        if request.method != .HEAD { context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil) }
        if keepAlive {
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        } else {
            let channel = context.channel
            context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in channel.close(promise: nil) }
        }
    }

    /// A client that sends requests without reading the answers: stop reading its requests while its answers
    /// wait in memory (over NIO's high-water mark, 64 KiB), read again once they drained (32 KiB).
    func channelWritabilityChanged(context: ChannelHandlerContext) {
        context.channel.setOption(ChannelOptions.autoRead, value: context.channel.isWritable).whenFailure { _ in }
        context.fireChannelWritabilityChanged()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}

/// Counts answers still waiting for an fsync, so that shutdown writes them before the process exits.
final class PendingAnswers: Sendable {
    private let count = Atomic<Int>(0)

    func begin() { count.add(1, ordering: .relaxed) }
    func end() { count.subtract(1, ordering: .releasing) }
    var isEmpty: Bool { count.load(ordering: .acquiring) == 0 }
}
