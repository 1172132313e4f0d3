import Driftline

/// What the collector answers a request, decided without waiting: the answer itself, and, for a write asked
/// with `sync`, the loggers whose fsync must complete before that answer may be given.
///
/// The HTTP server answers a reply that needs no fsync on the event loop that read the request (no thread
/// hop); only a `sync` write waits, in a task, for ``settle()``.
struct CollectorReply: Sendable {
    /// The answer once the loggers below are durable (at once when there are none).
    let answer: CollectorAnswer
    /// The loggers to fsync first.
    let durableAfter: [InferenceLogger]
    /// Records accepted by this request, named in the answer when the fsync fails.
    let accepted: Int

    /// A reply to give at once.
    init(_ answer: CollectorAnswer) {
        self.init(answer, durableAfter: [], accepted: 0)
    }

    /// A reply to give once every logger of `durableAfter` is durable.
    init(_ answer: CollectorAnswer, durableAfter: [InferenceLogger], accepted: Int) {
        self.answer = answer
        self.durableAfter = durableAfter
        self.accepted = accepted
    }

    /// The answer when it can be given without waiting.
    var immediate: CollectorAnswer? { durableAfter.isEmpty ? answer : nil }

    /// Waits until every logger holding this request's records has written and fsynced them, then gives the
    /// answer; a 500 `not_durable` when a write or an fsync failed (the records may be lost).
    func settle() async -> CollectorAnswer {
        for logger in durableAfter {
            do throws(LoggerError) {
                try await logger.flush()
            } catch {
                return CollectorAnswer(RequestRejection(
                    status: 500, code: "not_durable",
                    message: "\(accepted) records were accepted but the log's write or fsync failed: \(error); they may be lost: check the log folder's disk, then resend"))
            }
        }
        return answer
    }
}
