import DeltaTable
import DriftlineCore
import DurableFiles
import Foundation
import Profiles

/// The JSON file format of REFERENCE.md, written and read through DriftlineCore's `JSONValue`: encode
/// (stable key order, readable), decode with errors that name the file and field, atomic save, load.
extension Reference {
    static let formatName = "driftline-reference"

    /// The file's bytes: pretty JSON, keys in the documented order, ending in a newline.
    public func encoded() -> [UInt8] {
        Self.canonical(endpoint: endpoint, modelVersion: modelVersion, createdAt: createdAt, binCount: binCount,
                       task: task, columns: columns, referenceID: referenceID).bytes(.reference)
    }

    /// The document; `createdAt` and `referenceID` nil leave them out (the fingerprint's input).
    static func canonical(endpoint: String, modelVersion: String, createdAt: Timestamp?, binCount: Int,
                          task: ReferenceTask?, columns: [ReferenceColumn], referenceID: String?) -> JSONValue {
        var members: [(String, JSONValue)] = [("format", .string(formatName)),
                                                  ("format_version", .int(Int64(fileFormatVersion(columns: columns))))]
        if let referenceID { members.append(("reference_id", .string(referenceID))) }
        members += [("endpoint", .string(endpoint)), ("model_version", .string(modelVersion))]
        if let createdAt { members.append(("created_at", .string(createdAt.iso8601))) }
        members.append(("bin_count", .int(Int64(binCount))))
        if let task {
            var fields: [(String, JSONValue)] = [("kind", .string(task.kind.rawValue))]
            if let classes = task.classes { fields.append(("classes", .array(classes.map { .string($0) }))) }
            if let threshold = task.threshold { fields.append(("threshold", .double(threshold))) }
            members.append(("task", .object(fields)))
        } else {
            members.append(("task", .null))
        }
        members.append(("columns", .array(columns.map(canonical(column:)))))
        return .object(members)
    }

    private static func canonical(column: ReferenceColumn) -> JSONValue {
        var members: [(String, JSONValue)] = [
            ("name", .string(column.name)), ("kind", .string(column.kind.rawValue)),
            ("count", .int(column.count)), ("missing_count", .int(column.missingCount)),
        ]
        switch column.kind {
        case .numeric:
            members += [("min", .optional(column.min)), ("max", .optional(column.max)), ("mean", .optional(column.mean)),
                        ("m2", .optional(column.m2)), ("p05", .optional(column.p05)), ("p25", .optional(column.p25)),
                        ("p50", .optional(column.p50)), ("p75", .optional(column.p75)), ("p95", .optional(column.p95)),
                        ("edges", column.edges.map { .array($0.map { .double($0) }) } ?? .null),
                        ("histogram", column.histogram.map { .array($0.map { .int($0) }) } ?? .null),
                        ("sketch", .optional(column.sketch.map { Data($0).base64EncodedString() }))]
            if let map = column.calibration {
                members.append(("calibration", .object([("labeled", .array(map.labeled.map { .int($0) })),
                                                        ("events", .array(map.events.map { .int($0) }))])))
            }
        case .categorical:
            members += [("categories", .array((column.categories ?? []).map { .string($0) })),
                        ("category_counts", .array((column.categoryCounts ?? []).map { .int($0) }))]
        }
        return .object(members)
    }

    /// Writes the file atomically and durably (temporary file, fsync, rename, fsync of the folder),
    /// creating its folder (0750) when missing.
    public func save(to path: String) throws(StoreError) {
        let bytes = encoded()
        do throws(FileError) {
            try Folder.create(Folder.parent(of: path))
            try DurableFile.replace(path, with: bytes)
        } catch {
            throw StoreError(error)
        }
    }

    /// Saves to `<store>/references/<endpoint>/<model_version>.json` and returns that path.
    @discardableResult
    public func save(in store: Store) throws(StoreError) -> String {
        let path = try store.referencePath(endpoint: endpoint, modelVersion: modelVersion)
        try save(to: path)
        return path
    }

    /// Reads a reference file; every problem is a `malformedReference` naming the file and field, and an
    /// edited file whose content no longer matches its `reference_id` is `referenceFingerprintMismatch`.
    public static func load(path: String) throws(StoreError) -> Reference {
        let bytes: [UInt8]
        do throws(FileError) { bytes = try DurableFile.read(path) } catch { throw StoreError(error) }
        return try Reference(json: bytes, file: path)
    }

    /// The reference of a model version in a store, or nil when it has none.
    public static func load(store: Store, endpoint: String, modelVersion: String) throws(StoreError) -> Reference? {
        let path = try store.referencePath(endpoint: endpoint, modelVersion: modelVersion)
        guard DurableFile.exists(path) else { return nil }
        return try load(path: path)
    }

    /// Decodes a reference document (`file` names it in errors).
    public init(json bytes: [UInt8], file: String = "<reference>") throws(StoreError) {
        let value: JSONValue
        do throws(JSONSyntaxError) {
            value = try JSONValue.parse(bytes)
        } catch {
            throw .malformedReference(file: file, field: "(document)", detail: "not valid JSON: \(error)")
        }
        self = try ReferenceFileForm(json: value, file: file).reference(file: file)
    }
}
