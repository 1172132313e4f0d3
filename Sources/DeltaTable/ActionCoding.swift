import DriftlineCore
/// Reading and writing actions as newline-delimited JSON, one action per line.
enum ActionCoding {
    /// Parses the text of a commit file. `file` names it in errors.
    ///
    /// A commit is never empty: an empty file, or one holding fewer actions than the
    /// `driftlineActions` count its writer put in `commitInfo`, or whose last line lacks its newline,
    /// is `damagedCommit` (never read as a commit with nothing in it).
    static func decodeCommit(_ bytes: [UInt8], file: String) throws -> [Action] {
        guard bytes.contains(where: { $0 != 32 && $0 != 9 && $0 != 13 && $0 != 10 }) else {
            throw DeltaError.damagedCommit(file: file, reason: bytes.isEmpty ? "the file is empty (0 bytes)" : "the file holds only blank space")
        }
        let actions = try decodeLines(bytes, file: file)
        if let first = actions.first, case let .commitInfo(info) = first, case let .int(expected)? = info[actionCountKey] {
            guard bytes.last == 10 else {
                throw DeltaError.damagedCommit(file: file, reason: "its last line has no newline: the file was cut short")
            }
            guard Int64(actions.count) == expected else {
                throw DeltaError.damagedCommit(
                    file: file, reason: "it holds \(actions.count) of the \(expected) actions its writer recorded: the file was cut short")
            }
        }
        return actions
    }

    /// The `commitInfo` key holding how many actions (commitInfo included) the commit has.
    static let actionCountKey = "driftlineActions"

    private static func decodeLines(_ bytes: [UInt8], file: String) throws -> [Action] {
        var actions: [Action] = []
        var lineNumber = 0
        var start = 0
        while start < bytes.count {
            lineNumber += 1
            var end = start
            while end < bytes.count, bytes[end] != 10 { end += 1 }
            let slice = bytes[start..<end]
            start = end + 1
            if slice.allSatisfy({ $0 == 32 || $0 == 9 || $0 == 13 }) { continue }
            do {
                actions += try Action.actions(fromLine: try JSONValue.parse(slice))
            } catch let error as JSONSyntaxError {
                throw DeltaError.malformedLog(file: file, line: lineNumber, reason: "invalid JSON at byte \(error.offset + 1): \(error.reason)")
            } catch let error as JSONFields.Failure {
                throw DeltaError.malformedLog(file: file, line: lineNumber, reason: "\(error.path): \(error.reason)")
            }
        }
        return actions
    }

    /// The text of a commit file: one line per action, each ending in a newline.
    /// A leading `commitInfo` gets `driftlineActions`, the number of actions, so that a reader tells a
    /// commit cut at a line end from a whole one.
    static func encodeCommit(_ actions: [Action]) -> [UInt8] {
        var out: [UInt8] = []
        var stamped = actions
        if let first = stamped.first, case var .commitInfo(info) = first {
            info[actionCountKey] = .int(Int64(actions.count))
            stamped[0] = .commitInfo(info)
        }
        for action in stamped {
            action.json.write(to: &out, .deltaLog)
            out.append(10)
        }
        return out
    }
}
