@testable import Collector
import Driftline
import DriftlineLog
import Foundation
import PipelineFile
import Testing

/// The collector without HTTP: answers, and what reaches the log (read back with the log's reader).
@Suite struct CollectorTests {
    static let yaml = """
        collect:
          pair_timeout: 30s
          endpoints:
            iris:
              inference_service: sklearn-iris
              model_version: "1"
              features: [sepal_length, sepal_width, petal_length, petal_width]
              classes: [setosa, versicolor, virginica]
              output: class_index
            iris-v2:
              inference_service: sklearn-iris-v2
              model_version: "v2.0"
              model_version_from: response
              features: [sepal_length, sepal_width, petal_length, petal_width]
              classes: [setosa, versicolor, virginica]
              output_tensor: predict_proba
        """

    struct Fixture {
        let folder: String
        let collector: Collector

        init() throws {
            folder = NSTemporaryDirectory() + "driftline-collect-\(UUID().uuidString)"
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            collector = try Collector(logDirectory: folder, config: try PipelineFile(yaml: CollectorTests.yaml).collectSection(), writerID: "t")
        }

        /// Every record of an endpoint's partitions, by model version.
        func read(_ endpoint: String) throws -> [String: [LogRecord]] {
            var found: [String: [LogRecord]] = [:]
            for partition in try LogDirectory(folder).partitions(endpoint: endpoint) {
                let reader = try PartitionReader(partition: partition.path)
                while true {
                    let events = try reader.read()
                    if events.isEmpty { break }
                    for case .records(let batch) in events { found[batch.manifest.modelVersion, default: []] += batch.records }
                }
            }
            return found
        }

        func remove() { try? FileManager.default.removeItem(atPath: folder) }
    }

    static func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    @Test func aBatchWithABadRecordRejectsThatRecordOnly() async throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let body = """
            [{"features": [5.1, 3.5, 1.4, 0.2], "probabilities": [0.9, 0.05, 0.05], "request_id": "a", "latency_ms": 1.5, "event_time": 1768464000},
             {"features": {"sepal_length": 6.0, "sepal_width": "wide", "petal_length": 4.5, "petal_width": 1.6}, "probabilities": [0.1, 0.8, 0.1]},
             {"features": [6.3, 3.3, 6.0, 2.5], "prediction": "virginica", "request_id": "c", "event_time": "2026-01-15T08:00:00.25Z"}]
            """
        let answer = await fixture.collector.records(endpoint: "iris", body: Array(body.utf8), sync: true)
        #expect(answer.status == 400)
        let parsed = try Self.json(answer.body)
        #expect(parsed["accepted"] as? Int == 2)
        #expect(parsed["durable"] as? Bool == true)
        let rejected = try #require(parsed["rejected"] as? [[String: Any]])
        #expect(rejected.count == 1)
        #expect(rejected.first?["index"] as? Int == 1)
        #expect(rejected.first?["field"] as? String == "features[1] (sepal_width)")
        let records = try fixture.read("iris")["1"] ?? []
        #expect(records.count == 2)
        guard case .inference(let first) = records.first, case .inference(let last) = records.last else { Issue.record("not inferences"); return }
        #expect(first.requestID.string == "a" && first.latencyMicroseconds == 1500)
        #expect(first.timestamp == Timestamp(microsecondsSinceEpoch: 1_768_464_000_000_000))
        #expect(last.outcome == .probabilities([0, 0, 1]))
        #expect(last.timestamp == Timestamp(microsecondsSinceEpoch: 1_768_464_000_250_000))
        await fixture.collector.close()
    }

    @Test func jsonLinesLabelsAndUnknownEndpoints() async throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let labels = "{\"request_id\": \"a\", \"label\": \"setosa\"}\n\n{\"request_id\": \"b\", \"label\": \"rose\"}\n"
        let answer = await fixture.collector.labels(endpoint: "iris", body: Array(labels.utf8), sync: true)
        #expect(answer.status == 400)
        #expect(try Self.json(answer.body)["accepted"] as? Int == 1)
        #expect(answer.body.contains("\"field\":\"label\""))
        let unknown = await fixture.collector.records(endpoint: "petals", body: Array("[]".utf8), sync: false)
        #expect(unknown.status == 404 && unknown.body.contains("iris, iris-v2"))
        let malformed = await fixture.collector.records(endpoint: "iris", body: Array("[{\"features\": [1,2".utf8), sync: false)
        #expect(malformed.status == 400 && malformed.body.contains("malformed_json"))
        #expect(try fixture.read("iris")["1"]?.count == 1)
        await fixture.collector.close()
    }

    static func event(_ id: String, _ type: String, service: String, time: String) -> CloudEventHeaders {
        var event = CloudEventHeaders()
        event.specVersion = "1.0"
        event.id = id
        event.type = type
        event.inferenceService = service
        event.component = "predictor"
        event.time = time
        return event
    }

    @Test func cloudEventPairsInBothOrdersAreWrittenOnce() async throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let request = try PayloadTests.fixture("v1-iris-request.json"), response = try PayloadTests.fixture("v1-iris-response.json")
        let c = fixture.collector
        let req = CloudEventHeaders.requestType, res = CloudEventHeaders.responseType
        let t0 = "2026-01-15T08:00:00Z", t1 = "2026-01-15T08:00:00.004Z"
        var statuses: [Int] = []
        statuses.append(await c.cloudEvent(Self.event("one", req, service: "sklearn-iris", time: t0), body: request, sync: false).status)
        statuses.append(await c.cloudEvent(Self.event("one", res, service: "sklearn-iris", time: t1), body: response, sync: false).status)
        statuses.append(await c.cloudEvent(Self.event("two", res, service: "sklearn-iris", time: t1), body: response, sync: false).status)
        statuses.append(await c.cloudEvent(Self.event("two", req, service: "sklearn-iris", time: t0), body: request, sync: false).status)
        let repeated = await c.cloudEvent(Self.event("two", req, service: "sklearn-iris", time: t0), body: request, sync: true)
        #expect(repeated.body.contains("duplicate"))
        #expect(statuses == [200, 200, 200, 200])
        let v2 = await c.cloudEvent(Self.event("three", req, service: "sklearn-iris-v2", time: t0), body: try PayloadTests.fixture("v2-tabular-request.json"), sync: false)
        #expect(v2.body.contains("waiting"))
        let v2answer = await c.cloudEvent(Self.event("three", res, service: "sklearn-iris-v2", time: t1), body: try PayloadTests.fixture("v2-tabular-response.json"), sync: true)
        #expect(v2answer.status == 200 && v2answer.body.contains("\"accepted\":3"))
        _ = await c.flush()
        let v1 = try fixture.read("iris")["1"] ?? []
        let ids = v1.compactMap { record -> String? in if case .inference(let r) = record { return r.requestID.string }; return nil }
        #expect(ids == ["one-0", "one-1", "two-0", "two-1"])
        if case .inference(let r)? = v1.first {
            #expect(r.latencyMicroseconds == 4000)
            #expect(r.features == [6.8, 2.8, 4.8, 1.4])
            #expect(r.outcome == .probabilities([0, 1, 0]))
        }
        let v2records = try fixture.read("iris-v2")
        #expect(v2records.keys.sorted() == ["v2.0", "v2.1"] || v2records.keys.sorted() == ["v2.1"])
        #expect(v2records["v2.1"]?.count == 3)
        await c.close()
    }

    @Test func mismatchedRowCountsAndUnknownServicesAreRefused() async throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let c = fixture.collector
        _ = await c.cloudEvent(Self.event("x", CloudEventHeaders.requestType, service: "sklearn-iris", time: "2026-01-15T08:00:00Z"),
                               body: try PayloadTests.fixture("v1-iris-request.json"), sync: false)
        let answer = await c.cloudEvent(Self.event("x", CloudEventHeaders.responseType, service: "sklearn-iris", time: "2026-01-15T08:00:01Z"),
                                        body: Array(#"{"predictions": [1]}"#.utf8), sync: false)
        #expect(answer.status == 400 && answer.body.contains("2 rows but the response 1"))
        let unknown = await c.cloudEvent(Self.event("y", CloudEventHeaders.requestType, service: "mnist", time: "2026-01-15T08:00:00Z"),
                                         body: Array("{}".utf8), sync: false)
        #expect(unknown.status == 404 && unknown.body.contains("mnist"))
        await c.close()
    }
}
