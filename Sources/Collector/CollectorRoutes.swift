import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

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
struct CollectorRoutes: Sendable {
    let collector: Collector
    /// The bearer token every POST must carry, if any.
    let token: String?

    func add(to router: Router<BasicRequestContext>) {
        router.post("/v1/endpoints/:endpoint/records") { request, context in
            try await write(request, context) { body, sync in
                await collector.records(endpoint: context.parameters.get("endpoint") ?? "", body: body, sync: sync)
            }
        }
        router.post("/v1/endpoints/:endpoint/labels") { request, context in
            try await write(request, context) { body, sync in
                await collector.labels(endpoint: context.parameters.get("endpoint") ?? "", body: body, sync: sync)
            }
        }
        router.post("/v1/endpoints/:endpoint/cloudevents") { request, context in
            try await cloudEvent(request, context, endpoint: context.parameters.get("endpoint") ?? "")
        }
        router.post("/v1/cloudevents") { request, context in try await cloudEvent(request, context, endpoint: nil) }
        router.post("/") { request, context in try await cloudEvent(request, context, endpoint: nil) }
        router.post("/v1/flush") { request, context in
            try await write(request, context) { _, _ in await collector.flush() }
        }
        router.get("/metrics") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                     body: .init(byteBuffer: ByteBuffer(bytes: collector.renderMetrics())))
        }
        router.get("/healthz") { _, _ in Self.respond(CollectorAnswer(status: 200, body: #"{"status":"ok"}"#)) }
        router.get("/readyz") { _, _ in
            collector.isReady
                ? Self.respond(CollectorAnswer(status: 200, body: #"{"status":"ready"}"#))
                : Self.respond(CollectorAnswer(status: 503, body: #"{"status":"shutting down"}"#, retryAfterSeconds: 1))
        }
    }

    func cloudEvent(_ request: Request, _ context: BasicRequestContext, endpoint: String?) async throws -> Response {
        guard let event = CloudEventHeaders(header: { name in HTTPField.Name(name).flatMap { request.headers[$0] } }) else {
            let structured = request.headers[.contentType]?.hasPrefix("application/cloudevents") == true
            return refuse(RequestRejection(
                status: structured ? 415 : 400, code: structured ? "unsupported" : "invalid_event", field: "ce-specversion",
                message: structured
                    ? "structured-mode CloudEvents are not supported: send binary mode (ce-* headers), as KServe's logger does"
                    : "not a CloudEvent (no ce-specversion header): POST native records to /v1/endpoints/<endpoint>/records"))
        }
        return try await write(request, context) { body, sync in
            await collector.cloudEvent(event, body: body, endpoint: endpoint, sync: sync)
        }
    }

    /// Checks the token and the size, reads the body, runs `handle`, answers.
    func write(
        _ request: Request, _ context: BasicRequestContext, _ handle: @Sendable ([UInt8], Bool) async -> CollectorAnswer
    ) async throws -> Response {
        if let rejection = authorize(request) { return refuse(rejection) }
        let limit = collector.bodyLimitBytes
        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > limit {
            return refuse(tooLarge(length, limit: limit))
        }
        var request = request
        let buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: limit)
        } catch is NIOTooManyBytesError {
            return refuse(tooLarge(nil, limit: limit))
        }
        let sync = Self.isTrue(request.uri.queryParameters["sync"].map(String.init))
            || Self.isTrue(HTTPField.Name("x-driftline-sync").flatMap { request.headers[$0] })
        return Self.respond(await handle(Array(buffer.readableBytesView), sync))
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

    func authorize(_ request: Request) -> RequestRejection? {
        guard let token else { return nil }
        guard let header = request.headers[.authorization] else {
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

    func refuse(_ rejection: RequestRejection) -> Response {
        collector.metrics.requestRejected(reason: rejection.code)
        return Self.respond(CollectorAnswer(rejection))
    }

    static func respond(_ answer: CollectorAnswer) -> Response {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let seconds = answer.retryAfterSeconds { headers[.retryAfter] = String(seconds) }
        return Response(status: HTTPResponse.Status(code: answer.status), headers: headers,
                        body: .init(byteBuffer: ByteBuffer(string: answer.body + "\n")))
    }
}
