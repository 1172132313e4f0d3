import DriftlineCore

extension ProfileError: ByteCursorFailure {
    /// A sketch's bytes that end early or hold an impossible length: ``malformedSketch(field:detail:)`` of the
    /// field being read.
    public init(cursorProblem problem: ByteCursorProblem, offset: Int, what: StaticString, context: String) {
        switch problem {
        case let .truncated(needed, left):
            self = .malformedSketch(field: "\(what)", detail: "needs \(needed) bytes at offset \(offset), \(left) left")
        default:
            self = .malformedSketch(field: "\(what)", detail: problem.text(what) + " at offset \(offset)")
        }
    }
}
