import Driftline

extension Collector {
    /// Validates (through the loggers) and logs decoded items; answers 200 when all were accepted, 400 listing
    /// the rejected ones (the others are accepted), 503 when the buffer had no room (nothing of that model
    /// version's records was logged), 500 when `sync` was asked and the fsync failed.
    ///
    /// Items of several model versions go to several partitions, each all-or-nothing: a 503 for one version
    /// can follow the acceptance of another's (the answer's `accepted` says how many went in).
    ///
    /// Runs on the caller's thread and never waits: with `sync`, the reply holds the loggers to fsync before
    /// it may be answered (``CollectorReply/settle()``).
    func write(
        _ items: [NativeItem], rejected decodeRejections: [(Int, RequestRejection)], to loggers: EndpointLoggers,
        source: String, sync: Bool
    ) -> CollectorReply {
        let name = loggers.mapping.name
        var rejected = decodeRejections
        var groups: [(logger: InferenceLogger, staged: InferenceLogger.StagedRecords)] = []
        var byVersion: [String?: Int] = [:]
        for item in items {
            let logger: InferenceLogger
            do throws(RequestRejection) {
                logger = try loggers.logger(version: item.modelVersion)
            } catch {
                if error.status == 503 { return CollectorReply(overloaded(error, endpoint: name)) }
                rejected.append((item.index, error))
                continue
            }
            let group: Int
            if let existing = byVersion[item.modelVersion] {
                group = existing
            } else {
                group = groups.count
                byVersion[item.modelVersion] = group
                groups.append((logger, logger.makeStagedRecords()))
            }
            do throws(LoggerError) {
                switch item.record {
                case .inference(let record): try logger.stage(record, into: &groups[group].staged)
                case .label(let record): try logger.stage(record, into: &groups[group].staged)
                }
            } catch {
                if error.kind == .closed { return CollectorReply(overloaded(Self.closedRejection, endpoint: name)) }
                rejected.append((item.index, RequestRejection(
                    status: 400, code: "invalid_record", field: error.field, message: error.description)))
            }
        }
        var accepted = 0
        for group in groups {
            let logged: Bool
            do throws(LoggerError) {
                logged = try group.logger.tryLog(group.staged)
            } catch {
                return CollectorReply(overloaded(Self.closedRejection, endpoint: name, accepted: accepted))
            }
            guard logged else {
                return CollectorReply(overloaded(
                    RequestRejection(
                        status: 503, code: "overloaded",
                        message: "the log's buffer for \(name) is full (the disk is slower than the traffic); nothing of this request was logged: retry after the Retry-After seconds"),
                    endpoint: name, accepted: accepted))
            }
            accepted += group.staged.count
        }
        metrics.accepted(endpoint: name, source: source, count: accepted)
        rejected.sort { $0.0 < $1.0 }
        for (_, rejection) in rejected { metrics.rejected(endpoint: name, reason: rejection.code) }
        let status = rejected.isEmpty ? 200 : 400
        let durable = sync && accepted > 0
        if rejected.isEmpty && !durable {
            return CollectorReply(CollectorAnswer(status: 200, body: #"{"accepted":\#(accepted),"durable":false}"#))
        }
        var members: [(String, String)] = [("accepted", String(accepted))]
        if !rejected.isEmpty {
            members.append(("rejected", JSONText.array(rejected.map { index, rejection in
                var entry = [("index", String(index)), ("error", JSONText.string(rejection.code))]
                if let field = rejection.field { entry.append(("field", JSONText.string(field))) }
                entry.append(("message", JSONText.string(rejection.message)))
                return JSONText.object(entry)
            })))
        }
        guard durable else {
            members.insert(("durable", "false"), at: 1)
            return CollectorReply(CollectorAnswer(status: status, body: JSONText.object(members)))
        }
        members.insert(("durable", "true"), at: 1)
        return CollectorReply(
            CollectorAnswer(status: status, body: JSONText.object(members)),
            durableAfter: groups.filter { !$0.staged.isEmpty }.map(\.logger), accepted: accepted)
    }

    static let closedRejection = RequestRejection(
        status: 503, code: "closed", message: "the collector is shutting down; retry against its next instance")

    /// A 503 with `Retry-After`, counted.
    func overloaded(_ rejection: RequestRejection, endpoint: String, accepted: Int = 0) -> CollectorAnswer {
        metrics.overloaded(endpoint: endpoint)
        metrics.accepted(endpoint: endpoint, source: "partial", count: accepted)
        var answer = CollectorAnswer(rejection)
        if accepted > 0 {
            answer.body = JSONText.object([
                ("error", JSONText.string(rejection.code)), ("accepted", String(accepted)), ("message", JSONText.string(rejection.message)),
            ])
        }
        return answer
    }
}
