/// Reading and writing actions as newline-delimited JSON, one action per line.
enum ActionCoding {
    /// Parses the text of a commit file. `file` names it in errors.
    static func decodeCommit(_ bytes: [UInt8], file: String) throws -> [Action] {
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
                throw DeltaError.malformedLog(file: file, line: lineNumber, reason: "invalid JSON at \(error)")
            } catch let error as JSONFields.Failure {
                throw DeltaError.malformedLog(file: file, line: lineNumber, reason: "\(error.path): \(error.reason)")
            }
        }
        return actions
    }

    /// The text of a commit file: one line per action, each ending in a newline.
    static func encodeCommit(_ actions: [Action]) -> [UInt8] {
        var out: [UInt8] = []
        for action in actions {
            action.json.write(to: &out)
            out.append(10)
        }
        return out
    }
}
