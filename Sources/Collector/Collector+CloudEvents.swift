import Driftline

/// The first half of an inference, held by the pairing table until the other half arrives.
enum HeldHalf: Sendable {
    case request(RequestRows, time: Timestamp?)
    case response(ResponseOutcomes, time: Timestamp?)

    var half: PairingTable<HeldHalf>.Half {
        if case .request = self { return .request }
        return .response
    }
}

extension Collector {
    /// `POST /` (or `/v1/cloudevents`, or `/v1/endpoints/{endpoint}/cloudevents`): one KServe inference-logger
    /// CloudEvent in binary mode. The request event and the response event of an inference share `ce-id`;
    /// the second to arrive writes the inference (one record per row), the first is held until then.
    ///
    /// - Parameter endpoint: the endpoint named by the path; nil to map `ce-inferenceservicename` (and
    ///   `ce-namespace`) through the pipeline file.
    public func cloudEvent(_ event: CloudEventHeaders, body: [UInt8], endpoint forced: String? = nil, sync: Bool) async -> CollectorAnswer {
        await cloudEventReply(event, body: body, endpoint: forced, sync: sync).settle()
    }

    /// ``cloudEvent(_:body:endpoint:sync:)`` without waiting: the reply holds the loggers to fsync when `sync`.
    func cloudEventReply(_ event: CloudEventHeaders, body: [UInt8], endpoint forced: String?, sync: Bool) -> CollectorReply {
        metrics.requestBytes.increment(by: Int64(body.count))
        guard let id = event.id, !id.isEmpty else {
            return CollectorReply(refuse(RequestRejection(status: 400, code: "invalid_event", field: "ce-id", message: "the CloudEvent has no ce-id header; KServe's logger sets it to the request id")))
        }
        let half: PairingTable<HeldHalf>.Half
        switch event.type {
        case CloudEventHeaders.requestType?: half = .request
        case CloudEventHeaders.responseType?: half = .response
        default:
            metrics.ignoredEvents.increment()
            return CollectorReply(refuse(RequestRejection(
                status: 400, code: "unsupported", field: "ce-type",
                message: "ce-type \((event.type ?? "(none)").debugDescription): expected \(CloudEventHeaders.requestType) or \(CloudEventHeaders.responseType)")))
        }
        let loggers: EndpointLoggers
        if let forced {
            guard let found = endpoints[forced] else { return CollectorReply(refuse(unknownEndpoint(forced))) }
            loggers = found
        } else {
            guard let service = event.inferenceService, !service.isEmpty else {
                return CollectorReply(refuse(RequestRejection(
                    status: 400, code: "invalid_event", field: "ce-inferenceservicename",
                    message: "the CloudEvent has no ce-inferenceservicename header: post it to /v1/endpoints/<endpoint>/cloudevents instead")))
            }
            guard let found = endpointOrder.lazy.compactMap({ self.endpoints[$0] }).first(where: { $0.mapping.matches(service: service, namespace: event.namespace) }) else {
                return CollectorReply(refuse(RequestRejection(
                    status: 404, code: "unknown_endpoint", field: "ce-inferenceservicename",
                    message: "no endpoint of the pipeline file maps InferenceService \(service.debugDescription)\(event.namespace.map { " in namespace \($0)" } ?? ""); set inference_service (and namespace) on one of \(endpointOrder.joined(separator: ", "))")))
            }
            loggers = found
        }
        let name = loggers.mapping.name
        let time = event.time.flatMap { Timestamp(parsing: $0) }
        let part: HeldHalf
        do throws(RequestRejection) {
            part = try body.withUnsafeBytes { raw in
                Result { () throws(RequestRejection) -> HeldHalf in
                    switch half {
                    case .request: return .request(try InferencePayload.request(raw, mapping: loggers.mapping), time: time)
                    case .response: return .response(try InferencePayload.response(raw, mapping: loggers.mapping), time: time)
                    }
                }
            }.get()
        } catch {
            return CollectorReply(refuse(error, endpoint: name))
        }
        let key = PairingTable<HeldHalf>.Key(service: name, component: event.component ?? "", id: id)
        let offer = pairing.withLock { $0.offer(key, half: half, part: part, bytes: body.count, now: MonotonicNanos.now()) }
        let first: HeldHalf
        let firstBytes: Int
        switch offer {
        case .waiting:
            return CollectorReply(half == .request ? Self.waitingForResponse : Self.waitingForRequest)
        case .duplicate:
            metrics.duplicateEvents.increment()
            return CollectorReply(Self.duplicateAnswer)
        case .paired(let held, let bytes):
            (first, firstBytes) = (held, bytes)
        }
        let request: RequestRows, requestTime: Timestamp?, response: ResponseOutcomes, responseTime: Timestamp?
        switch (first, part) {
        case (.request(let rows, let t1), .response(let outcomes, let t2)): (request, requestTime, response, responseTime) = (rows, t1, outcomes, t2)
        case (.response(let outcomes, let t2), .request(let rows, let t1)): (request, requestTime, response, responseTime) = (rows, t1, outcomes, t2)
        default: return CollectorReply(Self.duplicateAnswer)
        }
        guard request.rows.count == response.outcomes.count else {
            return CollectorReply(refuse(RequestRejection.shape(
                "response", "the request (ce-id \(id)) has \(request.rows.count) rows but the response \(response.outcomes.count) answers; nothing of this inference was logged"),
                endpoint: name))
        }
        let timestamp = requestTime ?? responseTime ?? .now()
        var latency: Int64 = 0
        if let requestTime, let responseTime, responseTime > requestTime {
            latency = responseTime.microsecondsSinceEpoch - requestTime.microsecondsSinceEpoch
        }
        let version = loggers.mapping.config.modelVersionFromResponse ? response.modelVersion : nil
        var items: [NativeItem] = []
        var rejected: [(Int, RequestRejection)] = []
        for row in request.rows.indices {
            let rowID = request.rows.count == 1 ? id : "\(id)-\(row)"
            let requestID: RequestID
            do throws(ValidationError) {
                requestID = try RequestID(rowID)
            } catch {
                rejected.append((row, RequestRejection(status: 400, code: "invalid_record", field: "ce-id", message: error.description)))
                continue
            }
            let record = InferenceRecord(
                timestamp: timestamp, requestID: requestID, features: request.rows[row], outcome: response.outcomes[row],
                latencyMicroseconds: latency)
            items.append(NativeItem(index: row, modelVersion: version, record: .inference(record)))
        }
        let reply = write(items, rejected: rejected, to: loggers, source: "cloudevents", sync: sync)
        if reply.answer.status == 503 {
            // Nothing was logged: hold the first half again, so that a retry of this event still pairs.
            pairing.withLock { $0.restore(key, half: first.half, part: first, bytes: firstBytes, now: MonotonicNanos.now()) }
        }
        return reply
    }

    /// The answers to a first half (it waits for the other) and to a repeat, built once.
    static let waitingForResponse = CollectorAnswer(status: 200, body: #"{"status":"waiting","half":"request"}"#)
    static let waitingForRequest = CollectorAnswer(status: 200, body: #"{"status":"waiting","half":"response"}"#)
    static let duplicateAnswer = CollectorAnswer(status: 200, body: #"{"status":"duplicate"}"#)
}
