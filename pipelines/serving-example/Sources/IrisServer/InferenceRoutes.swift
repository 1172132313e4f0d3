import Driftline
import Foundation
import Hummingbird
import Synchronization

/// The HTTP API: inference, ground truth, metadata, health. Every answered inference is logged (when a logger is given).
struct InferenceRoutes: Sendable {
    let model: IrisModel
    let logger: InferenceLogger?
    /// Request ids the server makes: `<prefix>-<counter>`, unique per process.
    let idPrefix: String
    let counter = RequestCounter()

    init(model: IrisModel, logger: InferenceLogger?) {
        self.model = model
        self.logger = logger
        idPrefix = "\(ProcessInfo.processInfo.processIdentifier)-\(Int(Date().timeIntervalSince1970))"
    }

    func add(to router: Router<BasicRequestContext>) {
        let base = "/v2/models/\(model.name)"
        router.post("\(base)/infer") { request, context in try await infer(request, context: context) }
        router.post("\(base)/label") { request, context in try await label(request, context: context) }
        router.get(RouterPath(base)) { _, _ in
            ModelMetadata(name: model.name, versions: [model.version], platform: "driftline-serving-example",
                          inputs: model.features.map { ["name": $0, "datatype": "FP64", "shape": "[-1]"] },
                          outputs: [["name": "probabilities", "datatype": "FP64", "shape": "[-1, \(model.classes.count)]"],
                                    ["name": "predicted_class", "datatype": "BYTES", "shape": "[-1]"]])
        }
        router.post("/admin/log/flush") { _, _ in try await flush() }
        router.get("/v2/health/ready") { _, _ in HTTPResponse.Status.ok }
        router.get("/v2/health/live") { _, _ in HTTPResponse.Status.ok }
    }

    func infer(_ request: Request, context: BasicRequestContext) async throws -> InferenceResponse {
        let started = ContinuousClock.now
        let body: InferenceRequest
        do {
            body = try await request.decode(as: InferenceRequest.self, context: context)
        } catch {
            logFailure("bad_request", id: nil, started: started)
            throw HTTPError(.badRequest, message: "the body is not a v2 inference request: {\"inputs\": [{\"name\": \"input-0\", \"shape\": [1, 4], \"datatype\": \"FP64\", \"data\": [5.1, 3.5, 1.4, 0.2]}]}")
        }
        let id = body.id ?? request.headers[.init("x-request-id")!] ?? "\(idPrefix)-\(counter.next())"
        let rows: [[Double]]
        let eventTime: Timestamp
        do {
            rows = try self.rows(of: body)
            eventTime = try EventTime.resolve(body.parameters?.event_time, header: request.headers[.init(EventTime.header)!])
        } catch let error as HTTPError {
            logFailure("bad_request", id: id, started: started)
            throw error
        }
        var probabilities: [Double] = []
        var predicted: [String] = []
        var ids: [String] = []
        for (i, row) in rows.enumerated() {
            let p = model.probabilities(row)
            var best = 0
            for k in p.indices where p[k] > p[best] { best = k }
            probabilities += p
            predicted.append(model.classes[best])
            ids.append(rows.count == 1 ? id : "\(id)-\(i)")
        }
        if let logger {
            let latency = ContinuousClock.now - started
            for (i, row) in rows.enumerated() {
                let p = Array(probabilities[(i * model.classes.count)..<((i + 1) * model.classes.count)])
                // Logging never fails a request: an id that is too long is logged without it, a full buffer drops (counted).
                let requestID = (try? RequestID(ids[i])) ?? .none
                try? logger.log(features: row.map(FeatureValue.number), probabilities: p, requestID: requestID, latency: latency,
                                timestamp: eventTime)
            }
        }
        return InferenceResponse(
            model_name: model.name, model_version: model.version, id: id, request_ids: ids,
            outputs: [
                .init(name: "probabilities", shape: [rows.count, model.classes.count], datatype: "FP64", data: probabilities.map { .number($0) }),
                .init(name: "predicted_class", shape: [rows.count], datatype: "BYTES", data: predicted.map { .text($0) }),
            ])
    }

    /// The feature rows of a request: one `[n, features]` input, or one `[n]` input per feature, by name.
    func rows(of body: InferenceRequest) throws -> [[Double]] {
        let width = model.features.count
        var rows: [[Double]] = []
        if body.inputs.count == 1, let input = body.inputs.first, !model.features.contains(input.name) {
            let n = input.shape.first ?? 0
            guard input.shape.count == 2 || (input.shape.count == 1 && n == width), input.data.count == max(1, n) * width || input.data.count == width else {
                throw HTTPError(.badRequest, message: "input \(input.name): shape \(input.shape) with \(input.data.count) values; expected shape [n, \(width)] with n·\(width) values (\(model.features.joined(separator: ", ")))")
            }
            rows = stride(from: 0, to: input.data.count, by: width).map { Array(input.data[$0..<($0 + width)]) }
        } else {
            var columns: [[Double]] = []
            for name in model.features {
                guard let input = body.inputs.first(where: { $0.name == name }) else {
                    throw HTTPError(.badRequest, message: "missing input \(name): send one input per feature (\(model.features.joined(separator: ", "))) or one input of shape [n, \(width)]")
                }
                columns.append(input.data)
            }
            let n = columns.first?.count ?? 0
            guard columns.allSatisfy({ $0.count == n }) else {
                throw HTTPError(.badRequest, message: "the feature inputs have different lengths; each needs one value per row")
            }
            rows = (0..<n).map { i in columns.map { $0[i] } }
        }
        guard !rows.isEmpty, rows.count <= 10_000 else {
            throw HTTPError(.badRequest, message: "a request holds 1 to 10000 rows, got \(rows.count)")
        }
        guard rows.allSatisfy({ $0.allSatisfy(\.isFinite) }) else {
            throw HTTPError(.badRequest, message: "every feature must be a finite number")
        }
        return rows
    }

    func label(_ request: Request, context: BasicRequestContext) async throws -> LabelResponse {
        let body: LabelRequest
        do {
            body = try await request.decode(as: LabelRequest.self, context: context)
        } catch {
            throw HTTPError(.badRequest, message: "the body must be {\"id\": \"<request id>\", \"label\": \"<class>\"} or {\"labels\": [...]}")
        }
        let entries = body.entries
        guard !entries.isEmpty else { throw HTTPError(.badRequest, message: "no label: send {\"id\": \"<request id>\", \"label\": \"<class>\"}") }
        for entry in entries {
            let eventTime = try EventTime.resolve(entry.event_time, header: request.headers[.init(EventTime.header)!])
            guard model.classes.contains(entry.label) else {
                throw HTTPError(.badRequest, message: "label \(entry.label) for \(entry.id): not one of \(model.classes.joined(separator: ", "))")
            }
            guard let id = try? RequestID(entry.id), !id.isEmpty else {
                throw HTTPError(.badRequest, message: "request id \(entry.id): 1 to \(RequestID.maxBytes) bytes")
            }
            try? logger?.logLabel(requestID: id, label: entry.label, timestamp: eventTime)
        }
        return LabelResponse(accepted: entries.count)
    }

    /// `POST /admin/log/flush`: answers once every inference and label logged before the request is durable
    /// (written and fsynced), e.g. before a deploy or a snapshot; 503 when a write or fsync failed since the last flush.
    func flush() async throws -> FlushResponse {
        guard let logger else { throw HTTPError(.conflict, message: "logging is off (--no-logging or DRIFTLINE_LOGGING=off): nothing to flush") }
        do {
            try await logger.flush()
        } catch {
            throw HTTPError(.serviceUnavailable, message: "the log flush failed: \(error); check the log folder's disk")
        }
        let stats = logger.statistics
        return FlushResponse(logged: stats.logged, dropped: stats.dropped)
    }

    /// A request that could not be answered is logged as an error outcome, its features missing.
    func logFailure(_ code: String, id: String?, started: ContinuousClock.Instant) {
        guard let logger else { return }
        let requestID = id.flatMap { try? RequestID($0) } ?? .none
        try? logger.log(features: Array(repeating: .missing, count: model.features.count), error: code,
                        requestID: requestID, latency: ContinuousClock.now - started)
    }
}

/// Numbers the requests that come without an id.
final class RequestCounter: Sendable {
    private let value = Atomic<Int>(0)

    func next() -> Int { value.add(1, ordering: .relaxed).newValue }
}
