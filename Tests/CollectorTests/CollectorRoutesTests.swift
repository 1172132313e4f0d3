@testable import Collector
import Foundation
import NIOHTTP1
import Testing

/// The HTTP API's routing, without a socket: which path and method reach which part of the collector, what
/// is answered at once and what waits for an fsync, the token, the size limit and the query string.
@Suite struct CollectorRoutesTests {
    static let record = Array(#"{"features": [5.1, 3.5, 1.4, 0.2], "probabilities": [0.9, 0.05, 0.05]}"#.utf8)

    func route(
        _ routes: CollectorRoutes, _ method: HTTPMethod, _ uri: String, headers: [(String, String)] = [], body: [UInt8] = [],
        oversized: Int? = nil
    ) -> CollectorRoutes.Routed {
        routes.route(method: method, uri: uri, headers: HTTPHeaders(headers), body: body, oversizedLength: oversized)
    }

    func answer(_ routed: CollectorRoutes.Routed) -> CollectorAnswer? {
        if case .now(let answer) = routed { return answer }
        return nil
    }

    func code(_ routed: CollectorRoutes.Routed) throws -> String? {
        guard let answer = answer(routed) else { return nil }
        return try CollectorTests.json(answer.body)["error"] as? String
    }

    @Test func eachPathReachesItsPartAndOnlyItsMethod() throws {
        let fixture = try CollectorTests.Fixture()
        defer { fixture.remove() }
        let routes = CollectorRoutes(collector: fixture.collector, token: nil)
        #expect(answer(route(routes, .POST, "/v1/endpoints/iris/records", body: Self.record))?.status == 200)
        #expect(answer(route(routes, .POST, "/v1/endpoints/iris/records/", body: Self.record))?.status == 200)
        #expect(try code(route(routes, .POST, "/v1/endpoints/tulips/records", body: Self.record)) == "unknown_endpoint")
        #expect(try code(route(routes, .POST, "/v1/endpoints/iris/labels", body: Array(#"{"request_id": "r", "label": "setosa"}"#.utf8))) == nil)
        for path in ["/", "/v1/cloudevents", "/v1/endpoints/iris/cloudevents"] {
            #expect(try code(route(routes, .POST, path, body: Self.record)) == "invalid_event", "\(path)")
        }
        let structured = route(routes, .POST, "/", headers: [("Content-Type", "application/cloudevents+json")], body: Self.record)
        #expect(answer(structured)?.status == 415)
        for path in ["/metrics", "/healthz", "/readyz"] {
            guard case .methodNotAllowed(let allow) = route(routes, .POST, path) else { Issue.record("POST \(path)"); continue }
            #expect(allow == "GET, HEAD")
        }
        guard case .methodNotAllowed(let allow) = route(routes, .GET, "/v1/endpoints/iris/records") else { Issue.record("GET records"); return }
        #expect(allow == "POST")
        guard case .metrics(let text) = route(routes, .GET, "/metrics?x=1") else { Issue.record("metrics"); return }
        #expect(String(decoding: text, as: UTF8.self).contains("driftline_collect_records_accepted_total"))
        #expect(answer(route(routes, .HEAD, "/healthz"))?.status == 200)
        for path in ["/v2/models", "/v1/endpoints/iris", "/v1/endpoints/iris/records/extra", "/v1/flushes"] {
            #expect(try code(route(routes, .POST, path)) == "not_found", "\(path)")
        }
    }

    @Test func syncWritesAndFlushWaitTheRestIsAnsweredAtOnce() async throws {
        let fixture = try CollectorTests.Fixture()
        defer { fixture.remove() }
        let routes = CollectorRoutes(collector: fixture.collector, token: nil)
        for (uri, headers) in [("/v1/endpoints/iris/records?sync=true", []), ("/v1/endpoints/iris/records?a=b&sync=1", []),
                               ("/v1/endpoints/iris/records", [("X-Driftline-Sync", "yes")])] {
            guard case .later(let task) = route(routes, .POST, uri, headers: headers, body: Self.record) else {
                Issue.record("\(uri) \(headers) was answered before its fsync")
                continue
            }
            let answer = await task()
            #expect(try CollectorTests.json(answer.body)["durable"] as? Bool == true)
        }
        for uri in ["/v1/endpoints/iris/records?sync=false", "/v1/endpoints/iris/records?syncx=true", "/v1/endpoints/iris/records?sync"] {
            let answered = try #require(answer(route(routes, .POST, uri, body: Self.record)), "\(uri)")
            #expect(try CollectorTests.json(answered.body)["durable"] as? Bool == false)
        }
        // A sync write of which nothing was accepted has nothing to wait for.
        #expect(answer(route(routes, .POST, "/v1/endpoints/iris/records?sync=true", body: Array("[1]".utf8)))?.status == 400)
        guard case .later(let flush) = route(routes, .POST, "/v1/flush") else { Issue.record("flush"); return }
        #expect(await flush().body == #"{"durable":true}"#)
        #expect(try fixture.read("iris")["1"]?.count == 6)  // 3 sync, 3 not, the flush made them all durable
    }

    @Test func theTokenGuardsEveryPostAndTheLimitIsCheckedAfterIt() throws {
        let fixture = try CollectorTests.Fixture()
        defer { fixture.remove() }
        let routes = CollectorRoutes(collector: fixture.collector, token: "s3cret")
        let path = "/v1/endpoints/iris/records"
        #expect(try code(route(routes, .POST, path, body: Self.record)) == "unauthorized")
        #expect(try code(route(routes, .POST, path, headers: [("Authorization", "Bearer s3cre")], body: Self.record)) == "forbidden")
        #expect(try code(route(routes, .POST, path, headers: [("Authorization", "Basic s3cret")], body: Self.record)) == "forbidden")
        #expect(try code(route(routes, .POST, path, oversized: 9_000_000)) == "unauthorized")
        let auth = [("authorization", "Bearer s3cret")]
        let tooLarge = try #require(answer(route(routes, .POST, path, headers: auth, oversized: 9_000_000)))
        #expect(tooLarge.status == 413 && tooLarge.body.contains("9000000 bytes") && tooLarge.body.contains("8388608"))
        #expect(answer(route(routes, .POST, path, headers: auth, oversized: 0))?.body.contains("the body is larger") == true)
        #expect(answer(route(routes, .POST, path, headers: auth, body: Self.record))?.status == 200)
        #expect(answer(route(routes, .GET, "/healthz"))?.status == 200)  // reads need no token
    }

    @Test func queryParametersAreFoundByExactName() {
        #expect(CollectorRoutes.parameter("sync", in: "sync=true") == "true")
        #expect(CollectorRoutes.parameter("sync", in: "a=1&sync=yes&b") == "yes")
        #expect(CollectorRoutes.parameter("sync", in: "async=true") == nil)
        #expect(CollectorRoutes.parameter("sync", in: "sync") == "")
        #expect(CollectorRoutes.parameter("sync", in: "sync=a=b") == "a=b")
        #expect(CollectorRoutes.split("/a/b?x=1") == ("/a/b", "x=1"))
        #expect(CollectorRoutes.split("/a/b") == ("/a/b", ""))
        #expect(CollectorRoutes.split("http://collector:8480/v1/flush?sync=1") == ("/v1/flush", "sync=1"))
        #expect(CollectorRoutes.split("HTTP://collector:8480") == ("/", ""))
    }
}
