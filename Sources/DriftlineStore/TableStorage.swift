import DeltaTable
import DriftlineCore
import DurableFiles
import Foundation
import Parquet
import Synchronization

/// What the three tables share: a Delta table partitioned by `endpoint`, its expected schema, and
/// Parquet data files written from rows of values (the partition column left out, as Delta does).
struct TableStorage: Sendable {
    static let partitionColumn = "endpoint"
    /// Rows per `ParquetWriter.write` call, so that a row group never holds more than this.
    static let rowsPerRowGroup = 16_384

    let table: DeltaTable
    let schema: DeltaSchema
    /// The data files' schema: every column but `endpoint`.
    let fileSchema: Schema
    /// Names of the data files' fields, in order.
    let fileFields: [String]
    /// Parsed `window_start` bounds of the files seen (the `stats` JSON is parsed once per file).
    let bounds = BoundsCache()
    /// Readers (a table opened without `repairing`) read around a damaged newest commit
    /// (``DeltaTable/readableSnapshot()``); writers get it as an error and follow the move-aside rule.
    let readsAroundDamage: Bool
    /// The damaged newest commits a reader's snapshots skipped.
    let skipped = SkippedCommits()

    var path: String { table.path }

    /// Opens the table at `path`, creating it when missing (losing a creation race to another process is fine),
    /// and checks that its schema is `schema`. `repairing`: first move a damaged newest commit aside
    /// (``DeltaTable/repairNewestCommit(minimumAge:)``; only the table's writers do this) and report it there.
    static func open(path: String, schema: DeltaSchema, options: DeltaTable.Options,
                     repairing repaired: ((DamagedCommit) -> Void)? = nil) throws(StoreError) -> TableStorage {
        let table = DeltaTable(path: path, options: options)
        do {
            if let repaired, let damaged = try table.repairNewestCommit() { repaired(damaged) }
            if try table.latestVersion() == nil {
                do {
                    _ = try DeltaTable.create(at: path, schema: schema, partitionColumns: [partitionColumn], options: options)
                } catch DeltaError.tableExists {
                    // another process created it first
                }
            }
            let skipped = SkippedCommits()
            func read() throws -> Snapshot {
                guard repaired == nil else { return try table.snapshot() }
                let (snapshot, skip) = try table.readableSnapshot()
                skipped.record(skip)
                return snapshot
            }
            var existing = try read()
            guard existing.partitionColumns == [partitionColumn] else {
                throw StoreError.schemaMismatch(table: path, detail: "partitioned by \(existing.partitionColumns), expected [endpoint]")
            }
            // A store created by an older driftline lacks columns added since: nullable ones are added (schema
            // evolution, one metaData commit); their old rows read as null.
            let missing = schema.fields.filter { existing.schema.field(named: $0.name) == nil }
            if !missing.isEmpty, missing.allSatisfy(\.nullable) {
                try table.addColumns(missing)
                existing = try read()
            }
            for field in schema.fields {
                guard let found = existing.schema.field(named: field.name) else {
                    throw StoreError.schemaMismatch(table: path, detail: "column \(field.name) is missing")
                }
                guard found.type == field.type else {
                    throw StoreError.schemaMismatch(table: path, detail: "column \(field.name) has type \(found.type), expected \(field.type)")
                }
            }
            let fileSchema = try schema.parquetSchema(excluding: [partitionColumn])
            let storage = TableStorage(table: table, schema: schema, fileSchema: fileSchema, fileFields: fileSchema.fields.map(\.name),
                                       readsAroundDamage: repaired == nil)
            storage.skipped.record(skipped.all.last)
            return storage
        } catch let error as StoreError {
            throw error
        } catch {
            throw TableStorage.error(error, table: path)
        }
    }

    /// Writes one LZ4_RAW Parquet data file of `rows` (values in `fileFields` order) into the endpoint's
    /// partition folder and returns its `add` action (statistics from the footer).
    func writeFile(endpoint: String, rows: [[ParquetValue]], plainColumns: Set<String> = []) throws(StoreError) -> AddFile {
        try writeFile(endpoint: endpoint, rowCount: rows.count, plainColumns: plainColumns) { range, schema in
            try RecordBatch(schema: schema, rows: Array(rows[range]))
        }
    }

    /// Writes one data file whose row groups (at most `rowsPerRowGroup` rows each) `batch` builds
    /// from row ranges.
    func writeFile(endpoint: String, rowCount: Int, plainColumns: Set<String> = [],
                   batch: (Range<Int>, Schema) throws -> RecordBatch) throws(StoreError) -> AddFile {
        try StoreName.check(endpoint, field: "endpoint")
        let relative = StoreName.partitionFolder(column: Self.partitionColumn, value: endpoint)
            + "/part-00000-" + UUID().uuidString.lowercased() + "-c000.lz4raw.parquet"
        do {
            var options = WriterOptions()
            options.compression = .lz4Raw
            options.plainColumns = plainColumns
            options.createdBy = "driftline"
            let writer = try ParquetWriter(schema: fileSchema, options: options)
            var start = 0
            while start < rowCount {
                let end = min(rowCount, start + Self.rowsPerRowGroup)
                try writer.write(try batch(start..<end, fileSchema))
                start = end
            }
            try writer.close()
            let bytes = writer.bytes
            let statistics = FileStatistics(parquet: try ParquetReader(bytes: bytes, name: relative))
            return try table.writeDataFile(relativePath: relative, bytes: bytes,
                                           partitionValues: [Self.partitionColumn: endpoint], statistics: statistics)
        } catch let error as StoreError {
            throw error
        } catch {
            if let error = error as? DeltaError { throw .delta(table: path, error: error) }
            throw .writeFailed(file: path + "/" + relative, detail: "\(error)")
        }
    }

    /// The latest snapshot; for a reader, the latest readable one (a damaged newest commit is skipped and
    /// recorded in `skipped`).
    func snapshot() throws(StoreError) -> Snapshot {
        do {
            guard readsAroundDamage else { return try table.snapshot() }
            let (snapshot, skip) = try table.readableSnapshot()
            skipped.record(skip)
            return snapshot
        } catch {
            throw Self.error(error, table: path)
        }
    }

    /// Live files of `endpoint` (all endpoints when nil) whose `window_start` statistics may fall in the
    /// range (files without usable statistics are kept).
    func files(in snapshot: Snapshot, endpoint: String?, windowStarts: Range<Timestamp>?) -> [AddFile] {
        let selection = FileSelection(partitionValues: endpoint.map { [Self.partitionColumn: $0] } ?? [:])
        let files = snapshot.files(overlapping: selection)
        guard let windowStarts else { return files }
        return files.filter { file in
            guard let bounds = bounds.windowStarts(of: file) else { return true }
            return !(bounds.upperBound < windowStarts.lowerBound || bounds.lowerBound >= windowStarts.upperBound)
        }
    }

    /// The rows of a data file as values of `fields` (nil: all file fields), in that order. A column the file
    /// does not have (written before the column was added to the table) reads as null.
    func readRows(_ file: AddFile, fields: [String]? = nil) throws(StoreError) -> [[ParquetValue]] {
        let full = path + "/" + file.relativePath
        do {
            let reader = try ParquetReader(path: full)
            let wanted = fields ?? fileFields
            let available = Set(reader.schema.fields.map(\.name))
            let present = wanted.filter(available.contains)
            guard present.count < wanted.count else { return try reader.readRows(fields: wanted) }
            guard !present.isEmpty else {
                throw StoreError.malformedData(file: full, detail: "has none of the columns \(wanted.joined(separator: ", ")): not a data file of this table")
            }
            let positions = wanted.map { present.firstIndex(of: $0) }
            return try reader.readRows(fields: present).map { row in positions.map { $0.map { row[$0] } ?? .null } }
        } catch let error as StoreError {
            throw error
        } catch {
            throw .malformedData(file: full, detail: "\(error)")
        }
    }

    /// Removes data files that were written but never committed (a failed commit): nobody can see them,
    /// and left behind they would refill a disk that ran full. Errors are ignored (vacuum deletes what is left).
    func removeUncommitted(_ files: [AddFile]) {
        for file in files { _ = try? DurableFile.remove(path + "/" + file.relativePath) }
    }

    /// The partition value of a file.
    static func endpoint(of file: AddFile) -> String {
        (file.partitionValues[partitionColumn] ?? nil) ?? ""
    }

    func deltaError(_ error: any Error) -> StoreError { Self.error(error, table: path) }

    static func error(_ error: any Error, table: String) -> StoreError {
        if let error = error as? StoreError { return error }
        if let error = error as? DeltaError { return .delta(table: table, error: error) }
        return .writeFailed(file: table, detail: "\(error)")
    }
}

/// Typed reads of one row of values, with errors naming the file and column.
struct ValueReader {
    let values: [ParquetValue]
    let fields: [String: Int]
    let file: String

    func value(_ name: String) -> ParquetValue {
        guard let index = fields[name], index < values.count else { return .null }
        return values[index]
    }

    func bad(_ name: String, _ expected: String) -> StoreError {
        .malformedData(file: file, detail: "column \(name) holds \(value(name)), expected \(expected)")
    }

    func string(_ name: String) throws(StoreError) -> String {
        guard case let .string(text) = value(name) else { throw bad(name, "a string") }
        return text
    }

    func optionalString(_ name: String) throws(StoreError) -> String? {
        switch value(name) {
        case .null: return nil
        case let .string(text): return text
        default: throw bad(name, "a string or null")
        }
    }

    func int64(_ name: String) throws(StoreError) -> Int64 {
        guard case let .int64(number) = value(name) else { throw bad(name, "an int64") }
        return number
    }

    func optionalInt64(_ name: String) throws(StoreError) -> Int64? {
        switch value(name) {
        case .null: return nil
        case let .int64(number): return number
        default: throw bad(name, "an int64 or null")
        }
    }

    func optionalDouble(_ name: String) throws(StoreError) -> Double? {
        switch value(name) {
        case .null: return nil
        case let .double(number): return number
        default: throw bad(name, "a double or null")
        }
    }

    func optionalBool(_ name: String) throws(StoreError) -> Bool? {
        switch value(name) {
        case .null: return nil
        case let .boolean(flag): return flag
        default: throw bad(name, "a boolean or null")
        }
    }

    func optionalBytes(_ name: String) throws(StoreError) -> [UInt8]? {
        switch value(name) {
        case .null: return nil
        case let .bytes(bytes): return bytes
        default: throw bad(name, "binary or null")
        }
    }

    func optionalInt64List(_ name: String) throws(StoreError) -> [Int64]? {
        switch value(name) {
        case .null: return nil
        case let .list(items):
            var out: [Int64] = []
            out.reserveCapacity(items.count)
            for item in items {
                guard case let .int64(number) = item else { throw bad(name, "a list of int64") }
                out.append(number)
            }
            return out
        default: throw bad(name, "a list of int64 or null")
        }
    }

    func optionalDoubleList(_ name: String) throws(StoreError) -> [Double]? {
        switch value(name) {
        case .null: return nil
        case let .list(items):
            var out: [Double] = []
            out.reserveCapacity(items.count)
            for item in items {
                guard case let .double(number) = item else { throw bad(name, "a list of doubles") }
                out.append(number)
            }
            return out
        default: throw bad(name, "a list of doubles or null")
        }
    }

    func optionalStringList(_ name: String) throws(StoreError) -> [String]? {
        switch value(name) {
        case .null: return nil
        case let .list(items):
            var out: [String] = []
            out.reserveCapacity(items.count)
            for item in items {
                guard case let .string(text) = item else { throw bad(name, "a list of strings") }
                out.append(text)
            }
            return out
        default: throw bad(name, "a list of strings or null")
        }
    }
}

extension ParquetValue {
    static func optional(_ value: Double?) -> ParquetValue { value.map { .double($0) } ?? .null }
    static func optional(_ value: Int64?) -> ParquetValue { value.map { .int64($0) } ?? .null }
    static func optional(_ value: String?) -> ParquetValue { value.map { .string($0) } ?? .null }
    static func optional(_ value: [UInt8]?) -> ParquetValue { value.map { .bytes($0) } ?? .null }
    static func optional(longs: [Int64]?) -> ParquetValue { longs.map { .list($0.map { .int64($0) }) } ?? .null }
    static func optional(doubles: [Double]?) -> ParquetValue { doubles.map { .list($0.map { .double($0) }) } ?? .null }
    static func optional(strings: [String]?) -> ParquetValue { strings.map { .list($0.map { .string($0) }) } ?? .null }
}

/// The damaged newest commits a table's reads skipped (``DeltaTable/readableSnapshot()``), in the order seen.
final class SkippedCommits: Sendable {
    private let seen = Mutex<[SkippedCommit]>([])

    func record(_ skip: SkippedCommit?) {
        guard let skip else { return }
        seen.withLock { seen in if !seen.contains(skip) { seen.append(skip) } }
    }

    var all: [SkippedCommit] { seen.withLock { $0 } }
}

/// `window_start` bounds per data file path, parsed from `add.stats` once (files never change).
final class BoundsCache: Sendable {
    private let bounds = Mutex<[String: ClosedRange<Timestamp>?]>([:])

    func windowStarts(of file: AddFile) -> ClosedRange<Timestamp>? {
        if let known = bounds.withLock({ $0[file.path] }) { return known }
        // Parsed outside the lock: two threads may parse the same file once each, both get the same bounds.
        let parsed = file.statistics?.timestampBounds("window_start")
        bounds.withLock { bounds in
            if bounds.count > 1_000_000 { bounds.removeAll() }
            bounds[file.path] = .some(parsed)
        }
        return parsed
    }
}
