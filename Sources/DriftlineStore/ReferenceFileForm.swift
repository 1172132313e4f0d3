import DeltaTable
import DriftlineCore
import Foundation
import Profiles

/// The reference file as JSON decodes it, before validation.
struct ReferenceFileForm {
    struct TaskForm {
        var kind: String
        var classes: [String]?
        var threshold: Double?
    }

    struct CalibrationForm {
        var labeled: [Int64]
        var events: [Int64]
    }

    struct ColumnForm {
        var name: String
        var kind: String
        var count: Int64
        var missing_count: Int64
        var min: Double?
        var max: Double?
        var mean: Double?
        var m2: Double?
        var p05: Double?
        var p25: Double?
        var p50: Double?
        var p75: Double?
        var p95: Double?
        var edges: [Double]?
        var histogram: [Int64]?
        var sketch: String?
        var categories: [String]?
        var category_counts: [Int64]?
        var calibration: CalibrationForm?
    }

    var format: String
    var format_version: Int
    var reference_id: String
    var endpoint: String
    var model_version: String
    var created_at: String
    var bin_count: Int
    var task: TaskForm?
    var columns: [ColumnForm]

    /// Checks everything a reader relies on and builds the reference.
    func reference(file: String) throws(StoreError) -> Reference {
        func bad(_ field: String, _ detail: String) -> StoreError { .malformedReference(file: file, field: field, detail: detail) }
        guard format == Reference.formatName else { throw bad("format", "is \"\(format)\", expected \"\(Reference.formatName)\"") }
        guard (1...Reference.formatVersion).contains(format_version) else {
            throw bad("format_version", "version \(format_version) is not supported (this driftline reads 1 to \(Reference.formatVersion)); use a newer driftline or re-run `driftline profile`")
        }
        do { try StoreName.check(endpoint, field: "endpoint") } catch { throw bad("endpoint", error.description) }
        do { try StoreName.check(model_version, field: "model_version") } catch { throw bad("model_version", error.description) }
        guard let createdAt = Timestamp(iso8601: created_at) else { throw bad("created_at", "\"\(created_at)\" is not an ISO-8601 time") }
        guard bin_count >= 1 else { throw bad("bin_count", "must be at least 1, got \(bin_count)") }
        var task: ReferenceTask?
        if let form = self.task {
            guard let kind = ReferenceTask.Kind(rawValue: form.kind) else {
                throw bad("task.kind", "\"\(form.kind)\" is neither classification nor regression")
            }
            if let threshold = form.threshold, !(0...1).contains(threshold) { throw bad("task.threshold", "\(threshold) is not in [0, 1]") }
            task = ReferenceTask(kind: kind, classes: form.classes, threshold: form.threshold)
        }
        var names = Set<String>()
        var columns: [ReferenceColumn] = []
        for (index, form) in self.columns.enumerated() {
            let at = "columns[\(index)]"
            guard names.insert(form.name).inserted else { throw bad(at + ".name", "column \(form.name) appears twice") }
            columns.append(try form.column(at: at, bad: bad))
        }
        let version = Reference.fileFormatVersion(columns: columns)
        guard version == format_version else {
            throw bad("format_version", "is \(format_version) but the columns make a version \(version) document (version 2 is version 1 with calibration maps)")
        }
        let reference = Reference(endpoint: endpoint, modelVersion: model_version, createdAt: createdAt, binCount: bin_count,
                                  task: task, columns: columns)
        guard reference.referenceID == reference_id else {
            throw .referenceFingerprintMismatch(file: file, stored: reference_id, computed: reference.referenceID)
        }
        return reference
    }
}

extension ReferenceFileForm.ColumnForm {
    func column(at: String, bad: (String, String) -> StoreError) throws(StoreError) -> ReferenceColumn {
        guard let kind = ColumnProfile.Kind(rawValue: kind) else { throw bad(at + ".kind", "\"\(self.kind)\" is neither numeric nor categorical") }
        guard count >= 0 else { throw bad(at + ".count", "\(count) < 0") }
        guard missing_count >= 0 else { throw bad(at + ".missing_count", "\(missing_count) < 0") }
        var column = ReferenceColumn(name: name, kind: kind, count: count, missingCount: missing_count,
                                     min: min, max: max, mean: mean, m2: m2, p05: p05, p25: p25, p50: p50, p75: p75, p95: p95,
                                     edges: edges, histogram: histogram, categories: categories, categoryCounts: category_counts)
        switch kind {
        case .numeric:
            guard let text = sketch else { throw bad(at + ".sketch", "a numeric column needs its sketch") }
            guard let data = Data(base64Encoded: text) else { throw bad(at + ".sketch", "is not base64") }
            column.sketch = Array(data)
            if let edges {
                do { _ = try ReferenceBins(referenceID: "", edges: edges) } catch { throw bad(at + ".edges", error.description) }
                guard let histogram else { throw bad(at + ".histogram", "edges need the training histogram over them") }
                guard histogram.count == edges.count + 1 else {
                    throw bad(at + ".histogram", "has \(histogram.count) counts for \(edges.count + 1) bins")
                }
                guard histogram.allSatisfy({ $0 >= 0 }), histogram.reduce(0, +) == count else {
                    throw bad(at + ".histogram", "counts must be ≥ 0 and add up to count \(count)")
                }
            } else if histogram != nil {
                throw bad(at + ".edges", "a histogram needs the edges it counts over")
            }
            if let form = calibration {
                guard let edges else { throw bad(at + ".calibration", "a calibration map needs the edges it is defined over") }
                guard form.labeled.count == edges.count + 1, form.events.count == edges.count + 1 else {
                    throw bad(at + ".calibration", "has \(form.labeled.count) labelled and \(form.events.count) event counts for \(edges.count + 1) bins")
                }
                do { column.calibration = try CalibrationMap(labeled: form.labeled, events: form.events) } catch {
                    throw bad(at + ".calibration", error.description)
                }
            }
        case .categorical:
            guard calibration == nil else { throw bad(at + ".calibration", "only numeric columns have calibration maps") }
            let categories = categories ?? [], counts = category_counts ?? []
            guard categories.count == counts.count else {
                throw bad(at + ".category_counts", "\(counts.count) counts for \(categories.count) categories")
            }
            guard counts.allSatisfy({ $0 >= 0 }), counts.reduce(0, +) == count else {
                throw bad(at + ".category_counts", "counts must be ≥ 0 and add up to count \(count)")
            }
        }
        do { _ = try column.profile() } catch { throw bad(at, error.description) }
        return column
    }
}

/// Reading the document's fields out of the parsed JSON; a missing or mistyped field is a
/// `malformedReference` naming its path (`columns[2].count`).
extension ReferenceFileForm {
    init(json value: JSONValue, file: String) throws(StoreError) {
        let document = try ReferenceFields(value, path: "", file: file)
        format = try document.string("format")
        format_version = try document.int("format_version")
        reference_id = try document.string("reference_id")
        endpoint = try document.string("endpoint")
        model_version = try document.string("model_version")
        created_at = try document.string("created_at")
        bin_count = try document.int("bin_count")
        if let fields = try document.optionalObject("task") {
            task = TaskForm(kind: try fields.string("kind"), classes: try fields.optionalStrings("classes"),
                            threshold: try fields.optionalDouble("threshold"))
        } else {
            task = nil
        }
        columns = try document.objects("columns").map { fields throws(StoreError) in try ColumnForm(fields) }
    }
}

extension ReferenceFileForm.ColumnForm {
    fileprivate init(_ fields: ReferenceFields) throws(StoreError) {
        name = try fields.string("name")
        kind = try fields.string("kind")
        count = try fields.int64("count")
        missing_count = try fields.int64("missing_count")
        min = try fields.optionalDouble("min")
        max = try fields.optionalDouble("max")
        mean = try fields.optionalDouble("mean")
        m2 = try fields.optionalDouble("m2")
        p05 = try fields.optionalDouble("p05")
        p25 = try fields.optionalDouble("p25")
        p50 = try fields.optionalDouble("p50")
        p75 = try fields.optionalDouble("p75")
        p95 = try fields.optionalDouble("p95")
        edges = try fields.optionalDoubles("edges")
        histogram = try fields.optionalInt64s("histogram")
        sketch = try fields.optionalString("sketch")
        categories = try fields.optionalStrings("categories")
        category_counts = try fields.optionalInt64s("category_counts")
        if let map = try fields.optionalObject("calibration") {
            calibration = ReferenceFileForm.CalibrationForm(labeled: try map.int64s("labeled"), events: try map.int64s("events"))
        } else {
            calibration = nil
        }
    }
}

/// An object of the reference document with its path, for errors.
private struct ReferenceFields {
    let members: JSONObject
    let path: String
    let file: String

    init(_ value: JSONValue, path: String, file: String) throws(StoreError) {
        self.path = path
        self.file = file
        guard case let .object(members) = value else {
            throw .malformedReference(file: file, field: path.isEmpty ? "(document)" : path, detail: "expected an object, found \(Self.kind(value))")
        }
        self.members = members
    }

    private func at(_ key: String) -> String { path.isEmpty ? key : path + "." + key }

    private func bad(_ field: String, _ detail: String) -> StoreError { .malformedReference(file: file, field: field, detail: detail) }

    static func kind(_ value: JSONValue) -> String {
        switch value {
        case .null: "null"
        case .bool: "a boolean"
        case .int, .double: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }

    /// The member, nil when absent or null.
    private func present(_ key: String) -> JSONValue? {
        guard let value = members[key], !value.isNull else { return nil }
        return value
    }

    private func required(_ key: String) throws(StoreError) -> JSONValue {
        guard let value = present(key) else { throw bad(at(key), "is missing") }
        return value
    }

    private func string(_ value: JSONValue, _ field: String) throws(StoreError) -> String {
        guard let text = value.string else { throw bad(field, "expected a string, found \(Self.kind(value))") }
        return text
    }

    private func int64(_ value: JSONValue, _ field: String) throws(StoreError) -> Int64 {
        guard let number = value.int64 else { throw bad(field, "expected a whole number, found \(Self.kind(value)) \(value)") }
        return number
    }

    private func double(_ value: JSONValue, _ field: String) throws(StoreError) -> Double {
        guard let number = value.double else { throw bad(field, "expected a number, found \(Self.kind(value))") }
        return number
    }

    private func array(_ key: String) throws(StoreError) -> [JSONValue]? {
        guard let value = present(key) else { return nil }
        guard let items = value.array else { throw bad(at(key), "expected an array, found \(Self.kind(value))") }
        return items
    }

    func string(_ key: String) throws(StoreError) -> String { try string(try required(key), at(key)) }

    func optionalString(_ key: String) throws(StoreError) -> String? {
        guard let value = present(key) else { return nil }
        return try string(value, at(key))
    }

    func int64(_ key: String) throws(StoreError) -> Int64 { try int64(try required(key), at(key)) }

    func int(_ key: String) throws(StoreError) -> Int {
        let number = try int64(key)
        guard let exact = Int(exactly: number) else { throw bad(at(key), "\(number) is out of range") }
        return exact
    }

    func optionalDouble(_ key: String) throws(StoreError) -> Double? {
        guard let value = present(key) else { return nil }
        return try double(value, at(key))
    }

    func optionalStrings(_ key: String) throws(StoreError) -> [String]? {
        guard let items = try array(key) else { return nil }
        var out: [String] = []
        for (index, item) in items.enumerated() { out.append(try string(item, at(key) + "[\(index)]")) }
        return out
    }

    func optionalDoubles(_ key: String) throws(StoreError) -> [Double]? {
        guard let items = try array(key) else { return nil }
        var out: [Double] = []
        for (index, item) in items.enumerated() { out.append(try double(item, at(key) + "[\(index)]")) }
        return out
    }

    func optionalInt64s(_ key: String) throws(StoreError) -> [Int64]? {
        guard let items = try array(key) else { return nil }
        var out: [Int64] = []
        for (index, item) in items.enumerated() { out.append(try int64(item, at(key) + "[\(index)]")) }
        return out
    }

    func int64s(_ key: String) throws(StoreError) -> [Int64] {
        guard let items = try optionalInt64s(key) else { throw bad(at(key), "is missing") }
        return items
    }

    func optionalObject(_ key: String) throws(StoreError) -> ReferenceFields? {
        guard let value = present(key) else { return nil }
        return try ReferenceFields(value, path: at(key), file: file)
    }

    func objects(_ key: String) throws(StoreError) -> [ReferenceFields] {
        guard let items = try array(key) else { throw bad(at(key), "is missing") }
        var out: [ReferenceFields] = []
        for (index, item) in items.enumerated() { out.append(try ReferenceFields(item, path: at(key) + "[\(index)]", file: file)) }
        return out
    }
}
