/// A collector that cannot start: a pipeline file it cannot use, a token file it cannot read, a log it cannot open.
public struct CollectError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong, on which file or key, and what to do.
    public let description: String

    /// An error saying `description`.
    public init(_ description: String) { self.description = description }

    /// A problem of the pipeline file at `path`.
    static func config(path: String, _ detail: String) -> CollectError {
        CollectError("--config \(path): \(detail)")
    }
}

/// Why a request was not (or not wholly) accepted: the HTTP status, a short machine-readable code, the
/// field concerned when there is one, and a message that says what to fix.
public struct RequestRejection: Error, Sendable, Equatable, CustomStringConvertible {
    /// The HTTP status to answer (400, 401, 403, 404, 413, 415, 503, ...).
    public let status: Int
    /// A stable code: `malformed_json`, `invalid_record`, `wrong_shape`, `unknown_endpoint`, `too_large`,
    /// `unauthorized`, `forbidden`, `overloaded`, `unsupported`, `not_durable`, `closed`.
    public let code: String
    /// The field the problem is about (`features.petal_width`, `inputs[0].shape`, `ce-id`, ...), if any.
    public let field: String?
    /// What is wrong and what to do.
    public let message: String

    /// A rejection with the given status, code, field and message.
    public init(status: Int, code: String, field: String? = nil, message: String) {
        self.status = status
        self.code = code
        self.field = field
        self.message = message
    }

    public var description: String { "\(status) \(code): \(message)" }

    static func malformed(_ error: PayloadSyntaxError, in what: String) -> RequestRejection {
        RequestRejection(status: 400, code: "malformed_json", message: "\(what): \(error); send valid JSON")
    }

    static func shape(_ field: String, _ message: String) -> RequestRejection {
        RequestRejection(status: 400, code: "wrong_shape", field: field, message: "\(field): \(message)")
    }
}
