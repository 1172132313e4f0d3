import NIOHTTP1

/// The collector's HTTP API over a ``Collector``:
///
/// | route | what |
/// | --- | --- |
/// | `POST /v1/endpoints/{endpoint}/records` | native records (JSON array or JSON lines) |
/// | `POST /v1/endpoints/{endpoint}/labels` | delayed labels |
/// | `POST /`, `POST /v1/cloudevents` | KServe inference-logger CloudEvents (binary mode), mapped by `ce-inferenceservicename` |
/// | `POST /v1/endpoints/{endpoint}/cloudevents` | the same, for one endpoint whatever the service name |
/// | `POST /v1/flush` | answers once everything accepted before it is durable |
/// | `GET /metrics`, `/healthz`, `/readyz` | Prometheus text, liveness, readiness |
///
/// Writes take `?sync=true` (or the header `x-driftline-sync: true`) to answer only once durable. With a token,
/// every POST needs `Authorization: Bearer <token>`.
///
/// Routing never waits: everything but a `sync` write and `/v1/flush` is answered on the caller's thread.
struct CollectorRoutes: Sendable {
    let collector: Collector
    /// The bearer token every POST must carry, if any.
    let token: String?

    /// How a request is answered.
    enum Routed: Sendable {
        /// At once, with a JSON answer.
        case now(CollectorAnswer)
        /// At once, with Prometheus text.
        case metrics([UInt8])
        /// The path exists but not for this method: 405 with `Allow`.
        case methodNotAllowed(allow: String)
        /// Once the task is done (a `sync` write or a flush waiting for the fsync).
        case later(@Sendable () async -> CollectorAnswer)
    }

    /// Routes one complete request.
    ///
    /// - Parameters:
    ///   - oversizedLength: set when the body went over the collector's limit (its declared length, or 0 when
    ///     unknown): the body was not kept and the request is refused with 413 once routed.
    func route(method: HTTPMethod, uri: String, headers: HTTPHeaders, body: [UInt8], oversizedLength: Int?) -> Routed {
        let (path, query) = Self.split(uri)
        let segments = path.split(separator: "/", omittingEmptySubsequences: true)
        if method == .GET || method == .HEAD {
            switch path {
            case "/metrics": return .metrics(collector.renderMetrics())
            case "/healthz": return .now(CollectorAnswer(status: 200, body: #"{"status":"ok"}"#))
            case "/readyz":
                return .now(collector.isReady
                    ? CollectorAnswer(status: 200, body: #"{"status":"ready"}"#)
                    : CollectorAnswer(status: 503, body: #"{"status":"shutting down"}"#, retryAfterSeconds: 1))
            default: break
            }
        }
        let target: WriteTarget
        switch (segments.count, segments.first, segments.last) {
        case (0, _, _): target = .cloudEvent(endpoint: nil)
        case (2, "v1"?, "cloudevents"?): target = .cloudEvent(endpoint: nil)
        case (2, "v1"?, "flush"?): target = .flush
        case (4, "v1"?, "records"?) where segments[1] == "endpoints": target = .records(String(segments[2]))
        case (4, "v1"?, "labels"?) where segments[1] == "endpoints": target = .labels(String(segments[2]))
        case (4, "v1"?, "cloudevents"?) where segments[1] == "endpoints": target = .cloudEvent(endpoint: String(segments[2]))
        default:
            if method == .POST, ["/metrics", "/healthz", "/readyz"].contains(path) { return .methodNotAllowed(allow: "GET, HEAD") }
            return .now(refuse(RequestRejection(
                status: 404, code: "not_found", field: "path",
                message: "no route \(method.rawValue) \(path.debugDescription): the collector serves POST /v1/endpoints/<endpoint>/records, /labels and /cloudevents, POST / (CloudEvents), POST /v1/flush, GET /metrics, /healthz and /readyz")))
        }
        guard method == .POST else { return .methodNotAllowed(allow: "POST") }
        if let rejection = authorize(headers) { return .now(refuse(rejection)) }
        if let length = oversizedLength { return .now(refuse(tooLarge(length == 0 ? nil : length, limit: collector.bodyLimitBytes))) }
        let sync = Self.isTrue(Self.parameter("sync", in: query)) || Self.isTrue(headers.first(name: "x-driftline-sync"))
        let reply: CollectorReply
        switch target {
        case .records(let endpoint): reply = collector.native(endpoint: endpoint, body: body, sync: sync, source: "records")
        case .labels(let endpoint): reply = collector.native(endpoint: endpoint, body: body, sync: sync, source: "labels")
        case .flush: return .later { [collector] in await collector.flush() }
        case .cloudEvent(let endpoint):
            guard let event = CloudEventHeaders(header: { headers.first(name: $0) }) else {
                let structured = headers.first(name: "content-type")?.hasPrefix("application/cloudevents") == true
                return .now(refuse(RequestRejection(
                    status: structured ? 415 : 400, code: structured ? "unsupported" : "invalid_event", field: "ce-specversion",
                    message: structured
                        ? "structured-mode CloudEvents are not supported: send binary mode (ce-* headers), as KServe's logger does"
                        : "not a CloudEvent (no ce-specversion header): POST native records to /v1/endpoints/<endpoint>/records")))
            }
            reply = collector.cloudEventReply(event, body: body, endpoint: endpoint, sync: sync)
        }
        if let answer = reply.immediate { return .now(answer) }
        return .later { await reply.settle() }
    }

    /// What a POST writes to.
    enum WriteTarget {
        case records(String), labels(String), cloudEvent(endpoint: String?), flush
    }

    /// The path and the query of a request target (`/a/b?x=1` → `/a/b`, `x=1`); the absolute form that
    /// proxies send (`http://host:8480/a/b?x=1`, RFC 9112 §3.2.2) gives the same.
    static func split(_ uri: String) -> (path: Substring, query: Substring) {
        var target = uri[...]
        for scheme in ["http://", "https://"] where target.first != "/" && target.prefix(scheme.count).lowercased() == scheme {
            let authority = target.dropFirst(scheme.count)
            target = authority.firstIndex(of: "/").map { authority[$0...] } ?? "/"
            break
        }
        guard let mark = target.firstIndex(of: "?") else { return (target, "") }
        return (target[..<mark], target[target.index(after: mark)...])
    }

    /// The value of `name` in a query string (`a=1&sync=true`), nil when absent.
    static func parameter(_ name: String, in query: Substring) -> String? {
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            if parts.first == name[...] { return parts.count > 1 ? String(parts[1]) : "" }
        }
        return nil
    }

    static func isTrue(_ text: String?) -> Bool {
        guard let text = text?.lowercased() else { return false }
        return text == "true" || text == "1" || text == "yes"
    }

    func tooLarge(_ length: Int?, limit: Int) -> RequestRejection {
        RequestRejection(
            status: 413, code: "too_large",
            message: "the body\(length.map { " (\($0) bytes)" } ?? "") is larger than the limit of \(limit) bytes: split it into smaller requests (or raise collect.body_limit)")
    }

    func authorize(_ headers: HTTPHeaders) -> RequestRejection? {
        guard let token else { return nil }
        guard let header = headers.first(name: "authorization") else {
            return RequestRejection(status: 401, code: "unauthorized", field: "Authorization",
                                    message: "missing bearer token: send the header Authorization: Bearer <the token in the collector's token file>")
        }
        let prefix = "Bearer "
        guard header.hasPrefix(prefix), Self.constantTimeEqual(Array(header.utf8.dropFirst(prefix.utf8.count)), Array(token.utf8)) else {
            return RequestRejection(status: 403, code: "forbidden", field: "Authorization",
                                    message: "wrong bearer token: send the token in the collector's token file as Authorization: Bearer <token>")
        }
        return nil
    }

    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        var difference = UInt8(truncatingIfNeeded: a.count ^ b.count)
        for i in 0..<max(a.count, b.count) {
            difference |= (i < a.count ? a[i] : 0) ^ (i < b.count ? b[i] : 0)
        }
        return difference == 0
    }

    func refuse(_ rejection: RequestRejection) -> CollectorAnswer {
        collector.metrics.requestRejected(reason: rejection.code)
        return CollectorAnswer(rejection)
    }
}
