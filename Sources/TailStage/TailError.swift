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
        /// A commit of this tail is no longer in the table (moved aside as damaged after it was made): the
        /// tail stops, and a restart resumes from the table's last commit, profiling the log again from there.
        case commitLost
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
