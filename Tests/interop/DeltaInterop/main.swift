import DriftlineCore
// DeltaInterop: drives DeltaTable for the pytest cross-checks in Tests/interop/test_delta.py.
// Each command reads a JSON request on stdin (when it needs one) and prints a JSON answer on stdout;
// failures print the error on stderr and exit 1.
import DeltaTable
import Foundation
import Parquet

let usage = """
    usage: DeltaInterop [--checkpoint-interval N] [--log-retention-seconds S] COMMAND TABLE [ARGS]
      create TABLE            stdin {"schema": <Spark struct JSON>, "partitionColumns": [..], "configuration": {..}}
      append TABLE            stdin {"files": [FILE], "txn": [{"appId", "version"}], "commitInfo": {..}}
      replace TABLE           stdin {"where": {"partitionValues": {..}, "timeColumn", "from", "to"}, "files": [FILE], "txn": [..]}
      hammer TABLE N APPID    stdin {"file": FILE}: N commits, each a copy of FILE with txn APPID = 1…N
      snapshot TABLE          prints version, protocol, metadata, files with stats, txn versions
      vacuum TABLE SECONDS    deletes files removed more than SECONDS ago
      checkpoint TABLE        writes a checkpoint of the latest version (and cleans up the log)
    FILE = {"source": parquet path, "path": relative path in the table, "partitionValues": {..},
            "numRecords": n, "columns": {name: {"type": "long|double|string|timestamp|boolean", "values": [..]}}}
    """

struct ColumnSpec: Decodable {
    var type: String
    var values: [JSONValue]
}

struct FileSpec: Decodable {
    /// A Parquet file to copy into the table, or nil to write `rows` with our Parquet writer.
    var source: String?
    /// Rows of the table's non-partition columns, in schema order (timestamps as microseconds).
    var rows: [[JSONValue]]?
    var path: String
    var partitionValues: [String: String?]?
    var numRecords: Int64?
    var columns: [String: ColumnSpec]?
    /// "footer": statistics from the Parquet footer (FileStatistics(parquet:)) instead of `columns`.
    var statsFrom: String?
}

struct TransactionSpec: Decodable {
    var appId: String
    var version: Int64
}

struct WhereSpec: Decodable {
    var partitionValues: [String: String?]?
    var timeColumn: String?
    var from: Int64?
    var to: Int64?
}

struct Request: Decodable {
    var schema: JSONValue?
    var partitionColumns: [String]?
    var configuration: [String: String]?
    var files: [FileSpec]?
    var file: FileSpec?
    var txn: [TransactionSpec]?
    var commitInfo: [String: JSONValue]?
    var `where`: WhereSpec?
}

enum InteropError: Error, CustomStringConvertible {
    case usage(String)
    var description: String {
        switch self { case let .usage(text): return text }
    }
}

func readRequest() throws -> Request {
    let data = FileHandle.standardInput.readDataToEndOfFile()
    return try JSONDecoder().decode(Request.self, from: data)
}

func statistics(for spec: FileSpec) throws -> FileStatistics {
    var stats = FileStatistics(numRecords: spec.numRecords ?? 0)
    for (name, column) in spec.columns ?? [:] {
        switch column.type {
        case "long": stats.record(name, longs: column.values.map(\.int64))
        case "double":
            stats.record(name, doubles: column.values.map { value in
                if case let .string(text) = value { return Double(text) }   // "nan", "inf"
                return value.double
            })
        case "string": stats.record(name, strings: column.values.map(\.string))
        case "timestamp": stats.record(name, timestamps: column.values.map { $0.int64.map { Timestamp(microsecondsSinceEpoch: $0) } })
        case "boolean":
            stats.record(name, booleans: column.values.map { if case let .bool(flag) = $0 { return flag } else { return nil } })
        default: throw InteropError.usage("unknown column type \(column.type)")
        }
    }
    return stats
}

func writeFile(_ spec: FileSpec, to table: DeltaTable, path: String? = nil) throws -> AddFile {
    if spec.source == nil, spec.path.isEmpty {
        // No path: DeltaTable names the file and its partition folder itself.
        let snapshot = try table.snapshot()
        let schema = try snapshot.schema.parquetSchema(excluding: snapshot.partitionColumns)
        let rows = try (spec.rows ?? []).map { row in try zip(row, schema.fields).map { try parquetValue($0, $1.type) } }
        return try table.writeDataFile(try RecordBatch(schema: schema, rows: rows), partitionValues: spec.partitionValues ?? [:],
                                       snapshot: snapshot)
    }
    let bytes: [UInt8]
    if let source = spec.source {
        bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: source)))
    } else {
        let snapshot = try table.snapshot()
        bytes = try parquetBytes(rows: spec.rows ?? [],
                                 schema: try snapshot.schema.parquetSchema(excluding: snapshot.partitionColumns))
    }
    let stats = spec.statsFrom == "footer" || spec.source == nil
        ? try FileStatistics(parquetBytes: bytes, name: spec.path) : try statistics(for: spec)
    return try table.writeDataFile(relativePath: path ?? spec.path, bytes: bytes,
                                   partitionValues: spec.partitionValues ?? [:], statistics: stats)
}

/// Writes rows given as JSON with our Parquet writer (LZ4_RAW, dictionary on).
func parquetBytes(rows: [[JSONValue]], schema: Schema) throws -> [UInt8] {
    let values = try rows.map { row in
        guard row.count == schema.fields.count else {
            throw InteropError.usage("a row has \(row.count) values, the data schema \(schema.fields.count) columns")
        }
        return try zip(row, schema.fields).map { try parquetValue($0, $1.type) }
    }
    let writer = try ParquetWriter(schema: schema, options: WriterOptions())
    try writer.write(rows: values)
    try writer.close()
    return writer.bytes
}

func parquetValue(_ value: JSONValue, _ type: FieldType) throws -> ParquetValue {
    if value == .null { return .null }
    switch (type, value) {
    case (.string, .string(let text)): return .string(text)
    case (.int64, _), (.timestampMicros, _):
        guard let number = value.int64 else { break }
        return .int64(number)
    case (.int32, _):
        guard let number = value.int64, let narrow = Int32(exactly: number) else { break }
        return .int32(narrow)
    case (.double, _):
        guard let number = value.double else { break }
        return .double(number)
    case (.boolean, .bool(let flag)): return .boolean(flag)
    case (.list(let element), .array(let items)): return .list(try items.map { try parquetValue($0, element.type) })
    case (.map(let key, let valueField), .object(let members)):
        return .map(try members.keys.sorted().map {
            ParquetValue.MapEntry(key: try parquetValue(.string($0), key.type), value: try parquetValue(members[$0] ?? .null, valueField.type))
        })
    case (.group(let fields), .array(let items)) where items.count == fields.count:
        return .group(try zip(items, fields).map { try parquetValue($0, $1.type) })
    default: break
    }
    throw InteropError.usage("value \(value) does not fit Parquet type \(type)")
}

func emit(_ value: JSONValue) {
    print(value.description)
}

func snapshotJSON(_ snapshot: Snapshot) -> JSONValue {
    var files: [JSONValue] = []
    for file in snapshot.files {
        var object: [String: JSONValue] = [
            "path": .string(file.relativePath), "size": .int(file.size),
            "modificationTime": .int(file.modificationTime), "dataChange": .bool(file.dataChange),
            "partitionValues": .object(file.partitionValues.mapValues { $0.map(JSONValue.string) ?? .null }),
        ]
        if let stats = file.statistics {
            object["numRecords"] = .int(stats.numRecords)
            object["minValues"] = .object(stats.minValues)
            object["maxValues"] = .object(stats.maxValues)
            object["nullCount"] = .object(stats.nullCount)
        }
        files.append(.object(object))
    }
    return .object([
        "version": .int(snapshot.version),
        "minReaderVersion": .int(Int64(snapshot.protocolVersions.minReaderVersion)),
        "minWriterVersion": .int(Int64(snapshot.protocolVersions.minWriterVersion)),
        "tableId": .string(snapshot.metadata.id),
        "schema": .string(snapshot.schema.json),
        "columns": .array(snapshot.schema.fields.map { .string($0.name) }),
        "partitionColumns": .array(snapshot.partitionColumns.map(JSONValue.string)),
        "files": .array(files),
        "tombstones": .array(snapshot.tombstones.map { .string($0.relativePath) }),
        "transactions": .object(snapshot.transactions.mapValues(JSONValue.int)),
        "numRecords": snapshot.numRecords.map(JSONValue.int) ?? .null,
    ])
}

func run(_ all: [String]) throws {
    var options = DeltaTable.Options()
    var arguments = all
    while let flag = arguments.first, flag.hasPrefix("--") {
        guard arguments.count >= 2, let value = Int64(arguments[1]) else { throw InteropError.usage(usage) }
        switch flag {
        case "--checkpoint-interval": options.checkpointInterval = value
        case "--log-retention-seconds": options.logRetention = .seconds(value)
        default: throw InteropError.usage(usage)
        }
        arguments.removeFirst(2)
    }
    guard arguments.count >= 2 else { throw InteropError.usage(usage) }
    let command = arguments[0]
    let table = DeltaTable(path: arguments[1], options: options)
    switch command {
    case "create":
        let request = try readRequest()
        guard let schemaValue = request.schema else { throw InteropError.usage("create needs a schema") }
        let schema = try DeltaSchema(json: schemaValue.description)
        _ = try DeltaTable.create(at: arguments[1], schema: schema, partitionColumns: request.partitionColumns ?? [],
                                  configuration: request.configuration ?? [:], options: options)
        emit(.object(["version": .int(0)]))
    case "append":
        let request = try readRequest()
        let files = try (request.files ?? []).map { try writeFile($0, to: table) }
        let result = try table.append(files, transactions: (request.txn ?? []).map { AppTransaction(appId: $0.appId, version: $0.version) },
                                      commitInfo: request.commitInfo ?? [:])
        if let error = result.checkpointError { throw error }
        emit(.object(["version": .int(result.version), "attempts": .int(Int64(result.attempts)),
                      "checkpoint": result.checkpoint.map { .int($0.version) } ?? .null]))
    case "replace":
        let request = try readRequest()
        let spec = request.where ?? WhereSpec()
        var range: Range<Timestamp>?
        if let from = spec.from, let to = spec.to {
            range = Timestamp(microsecondsSinceEpoch: from)..<Timestamp(microsecondsSinceEpoch: to)
        }
        let selection = FileSelection(partitionValues: spec.partitionValues ?? [:], timeColumn: spec.timeColumn, timeRange: range)
        let files = try (request.files ?? []).map { try writeFile($0, to: table) }
        let result = try table.replace(selection, with: files,
                                       transactions: (request.txn ?? []).map { AppTransaction(appId: $0.appId, version: $0.version) },
                                       commitInfo: request.commitInfo ?? [:])
        emit(.object(["version": .int(result.version), "removed": .array(result.removedPaths.map(JSONValue.string))]))
    case "hammer":
        guard arguments.count == 4, let count = Int64(arguments[2]) else { throw InteropError.usage(usage) }
        let appId = arguments[3]
        guard let spec = try readRequest().file else { throw InteropError.usage("hammer needs a file") }
        var versions: [JSONValue] = []
        var retries: Int64 = 0
        for index in 1...max(1, count) {
            let directory = spec.path.lastIndex(of: "/").map { String(spec.path[...$0]) } ?? ""
            let file = try writeFile(spec, to: table, path: "\(directory)\(appId)-\(index).parquet")
            let result = try table.append([file], transactions: [AppTransaction(appId: appId, version: index)])
            if let error = result.checkpointError { throw error }
            versions.append(.int(result.version))
            retries += Int64(result.attempts - 1)
        }
        emit(.object(["versions": .array(versions), "retries": .int(retries)]))
    case "snapshot":
        emit(snapshotJSON(try table.snapshot()))
    case "checkpoint":
        let info = try table.checkpoint()
        emit(.object(["version": .int(info.version), "size": .int(info.size), "numOfAddFiles": .int(info.numOfAddFiles)]))
    case "vacuum":
        guard arguments.count == 3, let seconds = Int64(arguments[2]) else { throw InteropError.usage(usage) }
        let deleted = try table.vacuum(retention: .seconds(seconds))
        emit(.object(["deleted": .array(deleted.map(JSONValue.string))]))
    default:
        throw InteropError.usage(usage)
    }
}

do {
    try run(Array(CommandLine.arguments.dropFirst()))
} catch {
    FileHandle.standardError.write(Data("DeltaInterop: \(error)\n".utf8))
    exit(1)
}
