import Foundation

/// One mapping of the pipeline file, read key by key with errors that name `scope.key` and the file.
struct ConfigSection {
    let values: [String: Any]
    let scope: String
    let path: String

    /// Checks that `raw` is a mapping whose keys are all in `keys`.
    init(_ raw: Any, scope: String, path: String, keys: [String]) throws(CollectError) {
        guard let values = raw as? [String: Any] else {
            throw CollectError.config(path: path, "`\(scope)` must be a mapping of \(keys.joined(separator: ", "))")
        }
        for key in values.keys.sorted() where !keys.contains(key) {
            throw CollectError.config(path: path, "unknown key \(scope).\(key) (known: \(keys.joined(separator: ", "))); check its spelling")
        }
        self.values = values
        self.scope = scope
        self.path = path
    }

    func problem(_ key: String, _ value: Any, _ expected: String) -> CollectError {
        CollectError.config(path: path, "\(scope).\(key) = \(value): expected \(expected)")
    }

    func string(_ key: String) throws(CollectError) -> String? {
        switch values[key] {
        case nil: return nil
        case let text as String: return text
        case let value?: throw problem(key, value, "a string")
        }
    }

    /// A version-like string: YAML's `1` (an integer) is taken as "1"; `1.0` must be quoted.
    func label(_ key: String) throws(CollectError) -> String? {
        switch values[key] {
        case nil: return nil
        case let text as String: return text
        case let number as Int: return String(number)
        case let value?: throw problem(key, value, "a string (quote it, e.g. \"1.0\")")
        }
    }

    func bool(_ key: String) throws(CollectError) -> Bool? {
        switch values[key] {
        case nil: return nil
        case let flag as Bool: return flag
        case let value?: throw problem(key, value, "true or false")
        }
    }

    func number(_ key: String) throws(CollectError) -> Double? {
        switch values[key] {
        case nil: return nil
        case let number as Int: return Double(number)
        case let number as Double where number.isFinite: return number
        case let value?: throw problem(key, value, "a number")
        }
    }

    func positiveInt(_ key: String) throws(CollectError) -> Int? {
        switch values[key] {
        case nil: return nil
        case let number as Int where number > 0: return number
        case let value?: throw problem(key, value, "a positive whole number")
        }
    }

    /// A list of strings (a single string is a list of one).
    func strings(_ key: String) throws(CollectError) -> [String]? {
        switch values[key] {
        case nil: return nil
        case let text as String: return [text]
        case let list as [Any]:
            var names: [String] = []
            for item in list {
                switch item {
                case let text as String: names.append(text)
                case let number as Int: names.append(String(number))
                default: throw problem(key, item, "a list of names")
                }
            }
            return names
        case let value?: throw problem(key, value, "a list of names")
        }
    }

    func duration(_ key: String) throws(CollectError) -> Duration? {
        let text: String
        switch values[key] {
        case nil: return nil
        case let value as String: text = value
        case let value as Int: text = "\(value)s"
        case let value?: throw problem(key, value, "a duration such as 500ms, 30s, 5m or 1h")
        }
        guard let duration = Self.parseDuration(text), duration > .zero else {
            throw problem(key, text, "a positive duration such as 500ms, 30s, 5m or 1h")
        }
        return duration
    }

    func byteCount(_ key: String) throws(CollectError) -> Int? {
        let text: String
        switch values[key] {
        case nil: return nil
        case let value as String: text = value
        case let value as Int: text = "\(value)"
        case let value?: throw problem(key, value, "a size such as 512KiB, 8MiB or 1048576")
        }
        guard let bytes = Self.parseByteCount(text), bytes > 0 else {
            throw problem(key, text, "a positive size such as 512KiB, 8MiB or 1048576 (at most 1GiB)")
        }
        return bytes
    }

    /// `500ms`, `30s`, `5m`, `2h`, `1d`, or a bare number of seconds; at most 30 days.
    static func parseDuration(_ text: String) -> Duration? {
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600), ("d", 86_400)]
        var number = Substring(text)
        var scale = 1.0
        for (suffix, seconds) in units where text.hasSuffix(suffix) {
            number = text.dropLast(suffix.count)
            scale = seconds
            break
        }
        guard let value = Double(number), value.isFinite, value >= 0, value * scale <= 30 * 86_400 else { return nil }
        return .milliseconds(Int64((value * scale * 1000).rounded()))
    }

    /// `512KiB`, `8MiB`, `1GiB` (also `KB`, `MB`, `GB` as powers of 1024) or bytes; at most 1 GiB.
    static func parseByteCount(_ text: String) -> Int? {
        let units: [(String, Int)] = [("KiB", 1 << 10), ("MiB", 1 << 20), ("GiB", 1 << 30), ("KB", 1 << 10), ("MB", 1 << 20), ("GB", 1 << 30), ("B", 1)]
        var number = Substring(text)
        var scale = 1
        for (suffix, bytes) in units where text.hasSuffix(suffix) {
            number = text.dropLast(suffix.count)
            scale = bytes
            break
        }
        guard let value = Int(number.trimmingCharacters(in: .whitespaces)), value >= 0, value <= (1 << 30) / scale else { return nil }
        return value * scale
    }
}
