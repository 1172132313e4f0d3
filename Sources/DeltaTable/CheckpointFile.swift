import DriftlineCore
import Parquet

/// The classic single-file checkpoint (`NNN.checkpoint.parquet`, V1 spec): one Parquet row per action,
/// each row holding one non-null top-level struct (`add`, `remove`, `metaData`, `protocol` or `txn`).
enum CheckpointFile {
    private static let stringMap = FieldType.map(key: .required("key", .string), value: .optional("value", .string))
    private static let stringList = FieldType.list(.required("element", .string))

    /// The schema this library writes: the subset of the protocol's checkpoint schema that V1 tables use.
    static let schema = Schema([
        .optional("txn", .group([
            .required("appId", .string), .required("version", .int64), .optional("lastUpdated", .int64),
        ])),
        .optional("add", .group([
            .required("path", .string), .required("partitionValues", stringMap), .required("size", .int64),
            .required("modificationTime", .int64), .required("dataChange", .boolean), .optional("stats", .string),
            .optional("tags", stringMap),
        ])),
        .optional("remove", .group([
            .required("path", .string), .optional("deletionTimestamp", .int64), .required("dataChange", .boolean),
            .optional("extendedFileMetadata", .boolean), .optional("partitionValues", stringMap), .optional("size", .int64),
        ])),
        .optional("metaData", .group([
            .required("id", .string), .optional("name", .string), .optional("description", .string),
            .required("format", .group([.required("provider", .string), .required("options", stringMap)])),
            .required("schemaString", .string), .required("partitionColumns", stringList),
            .optional("createdTime", .int64), .required("configuration", stringMap),
        ])),
        .optional("protocol", .group([
            .required("minReaderVersion", .int32), .required("minWriterVersion", .int32),
            .optional("readerFeatures", stringList), .optional("writerFeatures", stringList),
        ])),
    ])

    static let rowsPerGroup = 1_000

    /// Encodes actions (no `commitInfo`) as a checkpoint file.
    static func encode(_ actions: [Action]) throws -> [UInt8] {
        var rows: [[ParquetValue]] = []
        rows.reserveCapacity(actions.count)
        for action in actions {
            var row = [ParquetValue](repeating: .null, count: 5)
            switch action {
            case let .txn(t):
                row[0] = .group([.string(t.appId), .int64(t.version), t.lastUpdated.map(ParquetValue.int64) ?? .null])
            case let .add(a):
                row[1] = .group([.string(a.path), map(a.partitionValues), .int64(a.size), .int64(a.modificationTime),
                                 .boolean(a.dataChange), a.stats.map(ParquetValue.string) ?? .null, a.tags.map(map) ?? .null])
            case let .remove(r):
                row[2] = .group([.string(r.path), r.deletionTimestamp.map(ParquetValue.int64) ?? .null, .boolean(r.dataChange),
                                 r.extendedFileMetadata.map(ParquetValue.boolean) ?? .null, r.partitionValues.map(map) ?? .null,
                                 r.size.map(ParquetValue.int64) ?? .null])
            case let .metaData(m):
                row[3] = .group([
                    .string(m.id), m.name.map(ParquetValue.string) ?? .null, m.description.map(ParquetValue.string) ?? .null,
                    .group([.string(m.format.provider), map((m.format.options ?? [:]).mapValues { Optional($0) })]),
                    .string(m.schemaString), .list(m.partitionColumns.map(ParquetValue.string)),
                    m.createdTime.map(ParquetValue.int64) ?? .null, map(m.configuration),
                ])
            case let .protocol(p):
                row[4] = .group([.int32(Int32(clamping: p.minReaderVersion)), .int32(Int32(clamping: p.minWriterVersion)),
                                 p.readerFeatures.map { .list($0.map(ParquetValue.string)) } ?? .null,
                                 p.writerFeatures.map { .list($0.map(ParquetValue.string)) } ?? .null])
            case .commitInfo:
                continue
            }
            rows.append(row)
        }
        var options = WriterOptions()
        options.compression = .lz4Raw
        let writer = try ParquetWriter(schema: schema, options: options)
        // Row groups of at most `rowsPerGroup` rows: the row shredder's cost grows faster than linearly
        // with the rows of one call (see the commit that introduced this), and readers are indifferent.
        var start = 0
        while start < rows.count {
            let end = min(rows.count, start + rowsPerGroup)
            try writer.write(rows: Array(rows[start..<end]))
            start = end
        }
        try writer.close()
        return writer.bytes
    }

    private static func map(_ values: [String: String?]) -> ParquetValue {
        .map(values.keys.sorted().map { key in
            ParquetValue.MapEntry(key: .string(key), value: (values[key] ?? nil).map(ParquetValue.string) ?? .null)
        })
    }

    /// Decodes a checkpoint written by any V1 writer (deltalake, Spark, this library): columns are found
    /// by name, unknown ones ignored.
    static func decode(_ bytes: [UInt8], file: String) throws -> [Action] {
        let reader: ParquetReader
        let rows: [[ParquetValue]]
        let wanted = ["protocol", "metaData", "txn", "add", "remove"]
        let names: [String]
        do {
            reader = try ParquetReader(bytes: bytes, name: file)
            names = wanted.filter { reader.schema.field(named: $0) != nil }
            rows = try reader.readRows(fields: names)
        } catch {
            throw DeltaError.malformedCheckpoint(file: file, reason: "\(error)")
        }
        let fields = try names.map { name -> [Field] in
            guard case let .group(members)? = reader.schema.field(named: name)?.type else {
                throw DeltaError.malformedCheckpoint(file: file, reason: "column \(name) is not a struct")
            }
            return members
        }
        var actions: [Action] = []
        for (index, row) in rows.enumerated() {
            guard row.count == names.count else {
                throw DeltaError.malformedCheckpoint(file: file, reason: "row \(index) has \(row.count) columns, expected \(names.count)")
            }
            for (column, value) in row.enumerated() {
                guard case let .group(members) = value else { continue }
                let view = Struct(fields: fields[column], values: members, file: file, context: "row \(index) \(names[column])")
                switch names[column] {
                case "protocol":
                    actions.append(.protocol(ProtocolVersions(
                        minReaderVersion: Int(try view.int("minReaderVersion")), minWriterVersion: Int(try view.int("minWriterVersion")),
                        readerFeatures: try view.optionalStrings("readerFeatures"), writerFeatures: try view.optionalStrings("writerFeatures"))))
                case "metaData":
                    let format = try view.optionalStruct("format")
                    actions.append(.metaData(TableMetadata(
                        id: try view.string("id"), name: try view.optionalString("name"),
                        description: try view.optionalString("description"),
                        format: TableMetadata.Format(provider: try format?.optionalString("provider") ?? "parquet",
                                                     options: (try format?.stringMap("options") ?? [:]).compactMapValues { $0 }),
                        schemaString: try view.string("schemaString"),
                        partitionColumns: try view.optionalStrings("partitionColumns") ?? [],
                        createdTime: try view.optionalInt("createdTime"), configuration: try view.stringMap("configuration"))))
                case "txn":
                    actions.append(.txn(AppTransaction(appId: try view.string("appId"), version: try view.int("version"),
                                                       lastUpdated: try view.optionalInt("lastUpdated"))))
                case "add":
                    var add = AddFile(relativePath: "", size: try view.int("size"), partitionValues: try view.stringMap("partitionValues"),
                                      modificationTime: Timestamp(milliseconds: try view.optionalInt("modificationTime") ?? 0),
                                      dataChange: try view.optionalBool("dataChange") ?? true)
                    add.path = try view.string("path")
                    add.stats = try view.optionalString("stats")
                    add.tags = try view.has("tags") ? view.stringMap("tags") : nil
                    actions.append(.add(add))
                case "remove":
                    actions.append(.remove(RemoveFile(
                        path: try view.string("path"), deletionTimestamp: try view.optionalInt("deletionTimestamp"),
                        dataChange: try view.optionalBool("dataChange") ?? true,
                        extendedFileMetadata: try view.optionalBool("extendedFileMetadata"),
                        partitionValues: try view.has("partitionValues") ? view.stringMap("partitionValues") : nil,
                        size: try view.optionalInt("size"))))
                default:
                    break
                }
            }
        }
        return actions
    }

    /// A struct value read by field name.
    private struct Struct {
        let fields: [Field]
        let values: [ParquetValue]
        let file: String
        let context: String

        func value(_ name: String) -> ParquetValue {
            guard let index = fields.firstIndex(where: { $0.name == name }), index < values.count else { return .null }
            return values[index]
        }

        func has(_ name: String) -> Bool { !value(name).isNull }

        func fail(_ name: String, _ problem: String) -> DeltaError {
            .malformedCheckpoint(file: file, reason: "\(context).\(name): \(problem)")
        }

        func optionalString(_ name: String) throws -> String? {
            switch value(name) {
            case .null: return nil
            case let .string(text): return text
            case let .bytes(bytes): return String(decoding: bytes, as: UTF8.self)
            default: throw fail(name, "expected a string")
            }
        }

        func string(_ name: String) throws -> String {
            guard let text = try optionalString(name) else { throw fail(name, "required string is null") }
            return text
        }

        func optionalInt(_ name: String) throws -> Int64? {
            switch value(name) {
            case .null: return nil
            case let .int64(number): return number
            case let .int32(number): return Int64(number)
            default: throw fail(name, "expected an integer")
            }
        }

        func int(_ name: String) throws -> Int64 {
            guard let number = try optionalInt(name) else { throw fail(name, "required integer is null") }
            return number
        }

        func optionalBool(_ name: String) throws -> Bool? {
            switch value(name) {
            case .null: return nil
            case let .boolean(flag): return flag
            default: throw fail(name, "expected a boolean")
            }
        }

        func optionalStrings(_ name: String) throws -> [String]? {
            switch value(name) {
            case .null: return nil
            case let .list(items):
                return try items.map { item in
                    guard case let .string(text) = item else { throw fail(name, "expected a list of strings") }
                    return text
                }
            default: throw fail(name, "expected a list")
            }
        }

        func stringMap(_ name: String) throws -> [String: String?] {
            switch value(name) {
            case .null: return [:]
            case let .map(entries):
                var out: [String: String?] = [:]
                for entry in entries {
                    guard case let .string(key) = entry.key else { throw fail(name, "expected string keys") }
                    switch entry.value {
                    case .null: out[key] = .some(nil)
                    case let .string(text): out[key] = text
                    default: throw fail(name, "expected string values")
                    }
                }
                return out
            default: throw fail(name, "expected a map")
            }
        }

        func optionalStruct(_ name: String) throws -> Struct? {
            guard let index = fields.firstIndex(where: { $0.name == name }) else { return nil }
            switch (fields[index].type, value(name)) {
            case (_, .null): return nil
            case let (.group(members), .group(values)):
                return Struct(fields: members, values: values, file: file, context: context + "." + name)
            default: throw fail(name, "expected a struct")
            }
        }
    }
}
