import NIOCore
import NIOHTTP1

/// One connection of the collector: gathers each request's head and body, routes the whole request through
/// ``CollectorRoutes`` on the connection's event loop and writes the answer there, so that a request costs no
/// thread hop. A body over the limit is not kept (its bytes are read and dropped, memory stays bounded) and is
/// answered 413 at its end. An answer that waits for an fsync (`sync=true`, `/v1/flush`) is written when its
/// task ends; the connection's next requests wait behind it (NIO's pipelining handler keeps HTTP/1.1 order).
/// After an answer that closes the connection, nothing more of it is read into a request.
final class CollectorHTTPHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let routes: CollectorRoutes
    let limit: Int
    private var head: HTTPRequestHead?
    private var body: ByteBuffer?
    /// Set once the body went over the limit: its declared length, or 0.
    private var oversized: Int?
    /// Set once an answer said `Connection: close`: the rest of the connection is ignored until it closes.
    private var closing = false

    /// How long a connection answered early (413 to `Expect: 100-continue`) may keep sending before it is closed.
    static let drainTime = TimeAmount.seconds(5)

    init(routes: CollectorRoutes) {
        self.routes = routes
        limit = routes.collector.bodyLimitBytes
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !closing else { return }
        switch unwrapInboundIn(data) {
        case .head(let request):
            head = request
            body = nil
            oversized = nil
            let declared = request.headers.first(name: "content-length").flatMap { Int($0) }
            if let declared, declared > limit { oversized = declared }
            // RFC 9110 §10.1.1: the expectation is for HTTP/1.1 and later only.
            guard request.version.major == 1, request.version.minor >= 1,
                  request.headers.first(name: "expect")?.lowercased() == "100-continue" else { return }
            if oversized != nil {
                // The client waits for our word before sending the body: give the final answer now (a 413, or
                // the 401/404/... that routing finds first), stop writing, and let it send what it may still
                // send for a while (closing at once could reset the connection before it reads the answer).
                let answer = routes.route(method: request.method, uri: request.uri, headers: request.headers, body: [], oversizedLength: oversized)
                var last = request
                last.headers.replaceOrAdd(name: "connection", value: "close")
                write(context, answer, to: last)
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
            guard let request = head else { return }
            head = nil
            let bytes = body.map { Array($0.readableBytesView) } ?? []
            body = nil
            let routed = routes.route(method: request.method, uri: request.uri, headers: request.headers, body: bytes, oversizedLength: oversized)
            write(context, routed, to: request)
        }
    }

    /// Writes a routed answer, at once or when its task ends.
    func write(_ context: ChannelHandlerContext, _ routed: CollectorRoutes.Routed, to request: HTTPRequestHead) {
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
            let promise = context.eventLoop.makePromise(of: CollectorAnswer.self)
            promise.completeWithTask(task)
            promise.futureResult.assumeIsolated().whenSuccess { answer in
                self.respond(context, to: request, answer)
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
        headers.reserveCapacity(5 + extra.count)
        headers.add(name: "content-type", value: contentType)
        headers.add(name: "content-length", value: String(body.readableBytes))
        headers.add(name: "date", value: HTTPDate.now())
        for (name, value) in extra { headers.add(name: name, value: value) }
        if !keepAlive {
            headers.add(name: "connection", value: "close")
        } else if request.version.major == 1 && request.version.minor == 0 {
            headers.add(name: "connection", value: "keep-alive")
        }
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: request.version, status: status, headers: headers))), promise: nil)
        if request.method != .HEAD { context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil) }
        guard !keepAlive else {
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
            return
        }
        // The last answer of this connection (RFC 9112 §9.6): read nothing more into requests, send a FIN
        // after it, and close once the client has closed its side (NIO closes on its EOF) or after the drain time.
        closing = true
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        context.close(mode: .output, promise: nil)  // after the answer's bytes: NIO shuts the socket once they are written
        let channel = context.channel
        channel.eventLoop.scheduleTask(in: Self.drainTime) { channel.close(promise: nil) }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
