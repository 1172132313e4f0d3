import Foundation

/// Reading and writing actions as newline-delimited JSON, one action per line.
enum ActionCoding {
    /// The keys of one line; unknown actions (`cdc`, `domainMetadata`, …) decode to all-nil and are skipped.
    private struct Line: Codable {
        var add: AddFile?
        var remove: RemoveFile?
        var metaData: TableMetadata?
        var `protocol`: ProtocolVersions?
        var txn: AppTransaction?
        var commitInfo: [String: JSONValue]?
    }

    /// Parses the text of a commit file. `file` names it in errors.
    static func decodeCommit(_ bytes: [UInt8], file: String) throws -> [Action] {
        let decoder = JSONDecoder()
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
            let line: Line
            do {
                line = try decoder.decode(Line.self, from: Data(slice))
            } catch let error as DecodingError {
                throw DeltaError.malformedLog(file: file, line: lineNumber, reason: describe(error))
            } catch {
                throw DeltaError.malformedLog(file: file, line: lineNumber, reason: "\(error)")
            }
            if let value = line.protocol { actions.append(.protocol(value)) }
            if let value = line.metaData { actions.append(.metaData(value)) }
            if let value = line.txn { actions.append(.txn(value)) }
            if let value = line.remove { actions.append(.remove(value)) }
            if let value = line.add { actions.append(.add(value)) }
            if let value = line.commitInfo { actions.append(.commitInfo(value)) }
        }
        return actions
    }

    /// The text of a commit file: one line per action, each ending in a newline.
    static func encodeCommit(_ actions: [Action]) throws -> [UInt8] {
        let encoder = makeEncoder()
        var out: [UInt8] = []
        for action in actions {
            var line = Line()
            switch action {
            case let .protocol(value): line.protocol = value
            case let .metaData(value): line.metaData = value
            case let .add(value): line.add = value
            case let .remove(value): line.remove = value
            case let .txn(value): line.txn = value
            case let .commitInfo(value): line.commitInfo = value
            }
            out.append(contentsOf: try encoder.encode(line))
            out.append(10)
        }
        return out
    }

    static func encodeText<T: Encodable>(_ value: T) throws -> String {
        String(decoding: try makeEncoder().encode(value), as: UTF8.self)
    }

    static func decodeText<T: Decodable>(_ type: T.Type, from text: String) throws -> T {
        try JSONDecoder().decode(type, from: Data(text.utf8))
    }

    private static func makeEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    /// A short description of a decoding error: which field, what was wrong.
    static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            let keys = context.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }
            return keys.isEmpty ? "line" : keys.joined(separator: ".")
        }
        switch error {
        case let .keyNotFound(key, context):
            return "\(path(context)): required field \(key.stringValue) is missing"
        case let .typeMismatch(type, context):
            return "\(path(context)): expected \(type)"
        case let .valueNotFound(type, context):
            return "\(path(context)): expected \(type), found null"
        case let .dataCorrupted(context):
            return "\(path(context)): \(context.debugDescription)"
        @unknown default:
            return "\(error)"
        }
    }
}
