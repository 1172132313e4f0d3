import DeltaTable
import Parquet
import Profiles

/// `ProfileRow` ↔ the values of a `profiles` data file (every column but `endpoint`, in schema order).
extension ProfilesTable {
    static func values(of row: ProfileRow) -> [ParquetValue] {
        [
            .string(row.modelVersion),
            .int64(row.windowStartMicroseconds),
            .int64(row.windowEndMicroseconds),
            .string(row.columnName),
            .string(row.columnKind),
            .int64(row.count),
            .int64(row.missingCount),
            .optional(row.min), .optional(row.max), .optional(row.mean), .optional(row.m2),
            .optional(row.p05), .optional(row.p25), .optional(row.p50), .optional(row.p75), .optional(row.p95),
            .optional(row.sketch),
            .optional(longs: row.histogram),
            .optional(row.referenceID),
            .optional(strings: row.categories),
            .optional(longs: row.categoryCounts),
            .optional(strings: row.otherCategories),
            .optional(longs: row.otherCategoryCounts),
            .optional(row.belowReferenceMin),
            .optional(row.aboveReferenceMax),
        ]
    }

    static func row(_ r: ValueReader, endpoint: String) throws(StoreError) -> ProfileRow {
        ProfileRow(
            endpoint: endpoint, modelVersion: try r.string("model_version"),
            windowStartMicroseconds: try r.int64("window_start"), windowEndMicroseconds: try r.int64("window_end"),
            columnName: try r.string("column_name"), columnKind: try r.string("column_kind"),
            count: try r.int64("count"), missingCount: try r.int64("missing_count"),
            min: try r.optionalDouble("min"), max: try r.optionalDouble("max"),
            mean: try r.optionalDouble("mean"), m2: try r.optionalDouble("m2"),
            p05: try r.optionalDouble("p05"), p25: try r.optionalDouble("p25"), p50: try r.optionalDouble("p50"),
            p75: try r.optionalDouble("p75"), p95: try r.optionalDouble("p95"),
            sketch: try r.optionalBytes("sketch"), histogram: try r.optionalInt64List("histogram"),
            referenceID: try r.optionalString("reference_id"),
            categories: try r.optionalStringList("categories"), categoryCounts: try r.optionalInt64List("category_counts"),
            otherCategories: try r.optionalStringList("other_categories"), otherCategoryCounts: try r.optionalInt64List("other_category_counts"),
            belowReferenceMin: try r.optionalInt64("below_reference_min"), aboveReferenceMax: try r.optionalInt64("above_reference_max"))
    }

    /// What a row must satisfy to be stored: a safe endpoint, a window, a known kind, counts ≥ 0.
    static func validate(_ row: ProfileRow, table: String) throws(StoreError) {
        try StoreName.check(row.endpoint, field: "endpoint")
        func reject(_ detail: String) -> StoreError {
            .invalidRow(table: table, detail: "\(row.endpoint)/\(row.modelVersion)/\(row.columnName) at \(row.windowStartMicroseconds): \(detail)")
        }
        guard row.windowStartMicroseconds < row.windowEndMicroseconds else { throw reject("window_start must be before window_end") }
        guard row.columnKind == "numeric" || row.columnKind == "categorical" else { throw reject("column_kind \(row.columnKind) is neither numeric nor categorical") }
        guard row.count >= 0, row.missingCount >= 0 else { throw reject("counts must be ≥ 0") }
        if let categories = row.categories, categories.count != (row.categoryCounts?.count ?? -1) {
            throw reject("\(categories.count) categories but \(row.categoryCounts?.count ?? 0) category_counts")
        }
        if (row.otherCategories?.count ?? 0) != (row.otherCategoryCounts?.count ?? 0) {
            throw reject("\(row.otherCategories?.count ?? 0) other_categories but \(row.otherCategoryCounts?.count ?? 0) other_category_counts")
        }
    }
}
