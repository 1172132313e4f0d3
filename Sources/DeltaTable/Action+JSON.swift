import DriftlineCore

/// A JSON object being read into an action, with the path used in error messages (`add.size`).
struct JSONFields {
    struct Failure: Error {
        let path: String
        let reason: String
    }

    let members: JSONObject
    let path: String

    init(_ value: JSONValue, path: String) throws {
        guard case let .object(members) = value else { throw Failure(path: path, reason: "expected an object") }
        self.members = members
        self.path = path
    }

    private func present(_ key: String) -> JSONValue? {
        guard let value = members[key], value != .null else { return nil }
        return value
    }

    private func fail(_ key: String, _ reason: String) -> Failure { Failure(path: path + "." + key, reason: reason) }

    func optionalString(_ key: String) throws -> String? {
        guard let value = present(key) else { return nil }
        guard case let .string(text) = value else { throw fail(key, "expected a string") }
        return text
    }

    func string(_ key: String) throws -> String {
        guard let text = try optionalString(key) else { throw fail(key, "required field is missing") }
        return text
    }

    func optionalInt(_ key: String) throws -> Int64? {
        guard let value = present(key) else { return nil }
        guard let number = value.int64 else { throw fail(key, "expected an integer") }
        return number
    }

    func int(_ key: String) throws -> Int64 {
        guard let number = try optionalInt(key) else { throw fail(key, "required field is missing") }
        return number
    }

    func optionalBool(_ key: String) throws -> Bool? {
        guard let value = present(key) else { return nil }
        guard case let .bool(flag) = value else { throw fail(key, "expected a boolean") }
        return flag
    }

    func optionalStrings(_ key: String) throws -> [String]? {
        guard let value = present(key) else { return nil }
        guard case let .array(items) = value else { throw fail(key, "expected an array of strings") }
        return try items.map { item in
            guard case let .string(text) = item else { throw fail(key, "expected an array of strings") }
            return text
        }
    }

    /// A string → string-or-null map.
    func optionalStringMap(_ key: String) throws -> [String: String?]? {
        guard let value = present(key) else { return nil }
        guard case let .object(entries) = value else { throw fail(key, "expected an object of strings") }
        var out: [String: String?] = [:]
        for (name, entry) in entries {
            switch entry {
            case .null: out[name] = .some(nil)
            case let .string(text): out[name] = text
            default: throw fail(key + "." + name, "expected a string or null")
            }
        }
        return out
    }

    func optionalObject(_ key: String) throws -> JSONFields? {
        guard let value = present(key) else { return nil }
        return try JSONFields(value, path: path + "." + key)
    }
}

extension Action {
    /// The actions of one log line (unknown action names are skipped, as the protocol requires).
    static func actions(fromLine value: JSONValue) throws -> [Action] {
        let line = try JSONFields(value, path: "line")
        var actions: [Action] = []
        if let fields = try line.optionalObject("protocol") { actions.append(.protocol(try ProtocolVersions(fields))) }
        if let fields = try line.optionalObject("metaData") { actions.append(.metaData(try TableMetadata(fields))) }
        if let fields = try line.optionalObject("txn") { actions.append(.txn(try AppTransaction(fields))) }
        if let fields = try line.optionalObject("remove") { actions.append(.remove(try RemoveFile(fields))) }
        if let fields = try line.optionalObject("add") { actions.append(.add(try AddFile(fields))) }
        if let fields = try line.optionalObject("commitInfo") { actions.append(.commitInfo(fields.members.dictionary)) }
        return actions
    }

    /// The log line of this action.
    var json: JSONValue {
        switch self {
        case let .protocol(value): return .object(["protocol": value.json])
        case let .metaData(value): return .object(["metaData": value.json])
        case let .txn(value): return .object(["txn": value.json])
        case let .add(value): return .object(["add": value.json])
        case let .remove(value): return .object(["remove": value.json])
        case let .commitInfo(value): return .object(["commitInfo": .object(value)])
        }
    }
}

private func stringMap(_ values: [String: String?]) -> JSONValue {
    .object(values.mapValues { $0.map(JSONValue.string) ?? .null })
}

private func compact(_ members: [String: JSONValue?]) -> JSONValue {
    .object(members.compactMapValues { $0 })
}

extension ProtocolVersions {
    init(_ fields: JSONFields) throws {
        self.init(minReaderVersion: Int(clamping: try fields.int("minReaderVersion")),
                  minWriterVersion: Int(clamping: try fields.int("minWriterVersion")),
                  readerFeatures: try fields.optionalStrings("readerFeatures"),
                  writerFeatures: try fields.optionalStrings("writerFeatures"))
    }

    var json: JSONValue {
        compact(["minReaderVersion": .int(Int64(minReaderVersion)), "minWriterVersion": .int(Int64(minWriterVersion)),
                 "readerFeatures": readerFeatures.map { .array($0.map(JSONValue.string)) },
                 "writerFeatures": writerFeatures.map { .array($0.map(JSONValue.string)) }])
    }
}

extension TableMetadata {
    init(_ fields: JSONFields) throws {
        let format = try fields.optionalObject("format")
        self.init(id: try fields.string("id"), name: try fields.optionalString("name"),
                  description: try fields.optionalString("description"),
                  format: Format(provider: try format?.optionalString("provider") ?? "parquet",
                                 options: (try format?.optionalStringMap("options") ?? [:]).compactMapValues { $0 }),
                  schemaString: try fields.string("schemaString"),
                  partitionColumns: try fields.optionalStrings("partitionColumns") ?? [],
                  createdTime: try fields.optionalInt("createdTime"),
                  configuration: try fields.optionalStringMap("configuration") ?? [:])
    }

    var json: JSONValue {
        compact(["id": .string(id), "name": name.map(JSONValue.string), "description": description.map(JSONValue.string),
                 "format": .object(["provider": .string(format.provider),
                                    "options": .object((format.options ?? [:]).mapValues(JSONValue.string))]),
                 "schemaString": .string(schemaString), "partitionColumns": .array(partitionColumns.map(JSONValue.string)),
                 "createdTime": createdTime.map(JSONValue.int), "configuration": stringMap(configuration)])
    }
}

extension AppTransaction {
    init(_ fields: JSONFields) throws {
        self.init(appId: try fields.string("appId"), version: try fields.int("version"),
                  lastUpdated: try fields.optionalInt("lastUpdated"))
    }

    var json: JSONValue {
        compact(["appId": .string(appId), "version": .int(version), "lastUpdated": lastUpdated.map(JSONValue.int)])
    }
}

extension AddFile {
    init(_ fields: JSONFields) throws {
        self.init(relativePath: "", size: try fields.int("size"),
                  partitionValues: try fields.optionalStringMap("partitionValues") ?? [:],
                  modificationTime: Timestamp(milliseconds: try fields.optionalInt("modificationTime") ?? 0),
                  dataChange: try fields.optionalBool("dataChange") ?? true)
        path = try fields.string("path")
        stats = try fields.optionalString("stats")
        tags = try fields.optionalStringMap("tags")
    }

    var json: JSONValue {
        compact(["path": .string(path), "partitionValues": stringMap(partitionValues), "size": .int(size),
                 "modificationTime": .int(modificationTime), "dataChange": .bool(dataChange),
                 "stats": stats.map(JSONValue.string), "tags": tags.map(stringMap)])
    }
}

extension RemoveFile {
    init(_ fields: JSONFields) throws {
        self.init(path: try fields.string("path"), deletionTimestamp: try fields.optionalInt("deletionTimestamp"),
                  dataChange: try fields.optionalBool("dataChange") ?? true,
                  extendedFileMetadata: try fields.optionalBool("extendedFileMetadata"),
                  partitionValues: try fields.optionalStringMap("partitionValues"), size: try fields.optionalInt("size"))
        stats = try fields.optionalString("stats")
        tags = try fields.optionalStringMap("tags")
    }

    var json: JSONValue {
        compact(["path": .string(path), "deletionTimestamp": deletionTimestamp.map(JSONValue.int), "dataChange": .bool(dataChange),
                 "extendedFileMetadata": extendedFileMetadata.map(JSONValue.bool),
                 "partitionValues": partitionValues.map(stringMap), "size": size.map(JSONValue.int),
                 "stats": stats.map(JSONValue.string), "tags": tags.map(stringMap)])
    }
}
