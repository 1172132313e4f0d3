/// What can stop the tail stage, with what to do about it.
public struct TailError: Error, Sendable, CustomStringConvertible {
    /// The kind of failure.
    public enum Kind: Sendable, Equatable {
        /// An option is out of range.
        case invalidArgument
        /// Another process holds an endpoint's lock.
        case endpointHeld
        /// The log could not be read.
        case log
        /// The store could not be read or written.
        case store
    }

    public let kind: Kind
    public let detail: String

    public init(_ kind: Kind, _ detail: String) {
        self.kind = kind
        self.detail = detail
    }

    static func invalidArgument(_ name: String, _ detail: String) -> TailError {
        TailError(.invalidArgument, "invalid \(name): \(detail)")
    }

    public var description: String { detail }
}
