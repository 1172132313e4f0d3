import Driftline

/// What the collector answers a request: an HTTP status, a JSON body, and when to retry after a 503.
public struct CollectorAnswer: Sendable, Equatable {
    /// The HTTP status.
    public var status: Int
    /// The JSON body.
    public var body: String
    /// Seconds for `Retry-After` (503 only).
    public var retryAfterSeconds: Int?

    /// An answer with the given status and JSON body.
    public init(status: Int, body: String, retryAfterSeconds: Int? = nil) {
        self.status = status
        self.body = body
        self.retryAfterSeconds = retryAfterSeconds
    }

    /// The answer to a refused request: `{"error": code, "field": ..., "message": ...}`.
    public init(_ rejection: RequestRejection) {
        var members = [("error", JSONText.string(rejection.code))]
        if let field = rejection.field { members.append(("field", JSONText.string(field))) }
        members.append(("message", JSONText.string(rejection.message)))
        self.init(status: rejection.status, body: JSONText.object(members), retryAfterSeconds: rejection.status == 503 ? 1 : nil)
    }
}

/// Builds the small JSON answers by hand (keys in a fixed order, strings escaped).
enum JSONText {
    static func string(_ text: String) -> String {
        var out: [UInt8] = []
        JSONString.append(text, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    static func object(_ members: [(String, String)]) -> String {
        "{" + members.map { "\(string($0.0)):\($0.1)" }.joined(separator: ",") + "}"
    }

    static func array(_ items: [String]) -> String { "[" + items.joined(separator: ",") + "]" }
}
