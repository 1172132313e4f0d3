import Yams

/// One mapping of the pipeline file, read key by key: every key must be known, each appears once, and a
/// value of the wrong kind is refused with an error that names `scope.key`, the value and what to write.
/// A key given with no value (`key:`) counts as absent.
struct YAMLSection {
    let entries: [(key: String, value: Node)]
    let scope: String
    let path: String

    /// Checks that `node` is a mapping whose keys are all in `keys` (`scope` is empty for the top level).
    init(_ node: Node, scope: String, path: String, keys: [String]) throws(PipelineFileError) {
        let name = scope.isEmpty ? "the file" : "`\(scope)`"
        guard let mapping = node.mapping else {
            throw PipelineFileError(path: path, "\(name) must be a mapping of \(keys.joined(separator: ", ")); found \(Self.show(node))")
        }
        var entries: [(key: String, value: Node)] = []
        for (keyNode, value) in mapping {
            guard let key = keyNode.scalar?.string else {
                throw PipelineFileError(path: path, "\(name) has a key that is not a name (\(Self.show(keyNode)))")
            }
            let qualified = scope.isEmpty ? key : "\(scope).\(key)"
            guard keys.contains(key) else {
                throw PipelineFileError(path: path, "unknown key \(qualified) (known: \(keys.joined(separator: ", "))); check its spelling")
            }
            guard !entries.contains(where: { $0.key == key }) else {
                throw PipelineFileError(path: path, "\(qualified) is given twice; keep one")
            }
            if YAMLSection.kind(value) == .null { continue }
            entries.append((key, value))
        }
        self.entries = entries
        self.scope = scope
        self.path = path
    }

    /// An empty section (the file leaves it out).
    init(emptyScope scope: String, path: String) {
        self.entries = []
        self.scope = scope
        self.path = path
    }

    subscript(key: String) -> Node? { entries.first { $0.key == key }?.value }

    func name(_ key: String) -> String { scope.isEmpty ? key : "\(scope).\(key)" }

    func problem(_ key: String, _ value: String, _ expected: String) -> PipelineFileError {
        PipelineFileError(path: path, "\(name(key)) = \(value): expected \(expected)")
    }

    func problem(_ key: String, _ node: Node, _ expected: String) -> PipelineFileError {
        problem(key, Self.show(node), expected)
    }

    /// The resolved YAML type of a value (`!!str` for a quoted scalar, `!!int` for `3`, `!!null` for nothing).
    static func kind(_ node: Node) -> Tag.Name { Tag.Name(rawValue: node.tag.description) }

    /// A short rendering of a value for an error message.
    static func show(_ node: Node) -> String {
        switch node {
        case .scalar(let scalar): scalar.string
        case .sequence: "a list"
        case .mapping: "a mapping"
        }
    }

    /// The nested section under `key` with its known keys (an empty one when absent).
    func section(_ key: String, keys: [String]) throws(PipelineFileError) -> YAMLSection {
        guard let node = self[key] else { return YAMLSection(emptyScope: name(key), path: path) }
        return try YAMLSection(node, scope: name(key), path: path, keys: keys)
    }

    /// The mapping under `key` as (name, value) pairs in the file's order; nil when absent.
    func namedEntries(_ key: String, expected: String) throws(PipelineFileError) -> [(name: String, value: Node)]? {
        guard let node = self[key] else { return nil }
        guard let mapping = node.mapping else { throw problem(key, node, expected) }
        var result: [(name: String, value: Node)] = []
        for (keyNode, value) in mapping {
            guard let name = keyNode.scalar?.string else { throw problem(key, keyNode, expected) }
            guard !result.contains(where: { $0.name == name }) else {
                throw PipelineFileError(path: path, "\(self.name(key)).\(name) is given twice; keep one")
            }
            result.append((name, value))
        }
        return result
    }

    func string(_ key: String) throws(PipelineFileError) -> String? {
        guard let node = self[key] else { return nil }
        guard let scalar = node.scalar, YAMLSection.kind(node) == .str else { throw problem(key, node, "a string") }
        return scalar.string
    }

    /// A version-like string: YAML's `1` and `1.0` are taken as written ("1", "1.0").
    func label(_ key: String) throws(PipelineFileError) -> String? {
        guard let node = self[key] else { return nil }
        guard let scalar = node.scalar, [.str, .int, .float].contains(YAMLSection.kind(node)) else {
            throw problem(key, node, "a string (quote it, e.g. \"1.0\")")
        }
        return scalar.string
    }

    func bool(_ key: String) throws(PipelineFileError) -> Bool? {
        guard let node = self[key] else { return nil }
        guard YAMLSection.kind(node) == .bool, let flag = node.bool else { throw problem(key, node, "true or false") }
        return flag
    }

    /// A finite number (an integer is taken as a number).
    func number(_ key: String) throws(PipelineFileError) -> Double? {
        guard let node = self[key] else { return nil }
        switch YAMLSection.kind(node) {
        case .int: if let value = node.int { return Double(value) }
        case .float: if let value = node.float, value.isFinite { return value }
        default: break
        }
        throw problem(key, node, "a number")
    }

    func integer(_ key: String) throws(PipelineFileError) -> Int? {
        guard let node = self[key] else { return nil }
        guard YAMLSection.kind(node) == .int, let value = node.int else { throw problem(key, node, "a whole number") }
        return value
    }

    func positiveInt(_ key: String) throws(PipelineFileError) -> Int? {
        guard let value = try integer(key) else { return nil }
        guard value > 0 else { throw problem(key, String(value), "a positive whole number") }
        return value
    }

    /// A list of names (a single name is a list of one; numbers are taken as written).
    func strings(_ key: String) throws(PipelineFileError) -> [String]? {
        guard let node = self[key] else { return nil }
        let items: [Node]
        switch node {
        case .scalar: items = [node]
        case .sequence(let sequence): items = Array(sequence)
        case .mapping: throw problem(key, node, "a list of names")
        }
        var names: [String] = []
        for item in items {
            guard let scalar = item.scalar, [.str, .int].contains(YAMLSection.kind(item)) else { throw problem(key, item, "a list of names") }
            names.append(scalar.string)
        }
        return names
    }

    /// A positive duration (`500ms`, `30s`, `5m`, `1h`; a bare number is seconds) of at most `longest`.
    func duration(_ key: String, longest: Duration = DurationText.longest) throws(PipelineFileError) -> Duration? {
        guard let node = self[key] else { return nil }
        guard let scalar = node.scalar, [.str, .int, .float].contains(YAMLSection.kind(node)) else {
            throw problem(key, node, "a duration such as 500ms, 30s, 5m or 1h")
        }
        guard let duration = DurationText.parse(scalar.string, longest: longest), duration > .zero else {
            throw problem(key, scalar.string, "a positive duration such as 500ms, 30s, 5m or 1h (at most \(DurationText.text(longest)))")
        }
        return duration
    }

    /// A positive size (`512KiB`, `8MiB`, or bytes) of at most 1 GiB.
    func byteCount(_ key: String) throws(PipelineFileError) -> Int? {
        guard let node = self[key] else { return nil }
        guard let scalar = node.scalar, [.str, .int].contains(YAMLSection.kind(node)) else {
            throw problem(key, node, "a size such as 512KiB, 8MiB or 1048576")
        }
        guard let bytes = Self.parseByteCount(scalar.string), bytes > 0 else {
            throw problem(key, scalar.string, "a positive size such as 512KiB, 8MiB or 1048576 (at most 1GiB)")
        }
        return bytes
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
        while number.last == " " { number = number.dropLast() }
        guard let value = Int(number), value >= 0, value <= (1 << 30) / scale else { return nil }
        return value * scale
    }

    /// A number within `range` (a share, a p-value, a threshold).
    func number(_ key: String, in range: ClosedRange<Double>, excludingLower: Bool = false, _ meaning: String) throws(PipelineFileError) -> Double? {
        guard let value = try number(key) else { return nil }
        let inside = excludingLower ? value > range.lowerBound && value <= range.upperBound : range.contains(value)
        guard inside else { throw PipelineFileError(path: path, "\(name(key)) = \(value): must lie in \(meaning)") }
        return value
    }

    /// One of `choices`.
    func choice(_ key: String, of choices: [String], _ meaning: String) throws(PipelineFileError) -> String? {
        guard let text = try string(key) else { return nil }
        guard choices.contains(text) else {
            throw PipelineFileError(path: path, "\(name(key)) = \(text): must be \(choices.joined(separator: " or ")) (\(meaning))")
        }
        return text
    }
}
