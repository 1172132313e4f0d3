import Foundation
import Parquet

extension DeltaTable {
    /// Writes `batch` (columns of the table's data schema, `schema.parquetSchema(excluding:)` of the
    /// partition columns) as a new Parquet data file in its partition folder, durably, and returns the
    /// `add` action with statistics read from the file's footer. Commit it with `append` or `replace`.
    ///
    /// The file is named `<col>=<value>/…/part-<uuid>.parquet` (Hive-style folders; a null value is
    /// `__HIVE_DEFAULT_PARTITION__`). The default writer options compress with LZ4_RAW.
    public func writeDataFile(_ batch: RecordBatch, partitionValues: [String: String?], snapshot: Snapshot,
                              options: WriterOptions = WriterOptions()) throws -> AddFile {
        let schema = try snapshot.schema.parquetSchema(excluding: snapshot.partitionColumns)
        let writer = try ParquetWriter(schema: schema, options: options)
        try writer.write(batch)
        try writer.close()
        let bytes = writer.bytes
        let folder = snapshot.partitionColumns.map { column in
            column + "=" + Self.escapePartitionValue(partitionValues[column] ?? nil)
        }
        let name = "part-" + UUID().uuidString.lowercased() + ".parquet"
        let relativePath = (folder + [name]).joined(separator: "/")
        return try writeDataFile(relativePath: relativePath, bytes: bytes, partitionValues: partitionValues,
                                 statistics: try FileStatistics(parquetBytes: bytes, name: relativePath))
    }

    /// Hive's escaping of a partition value in a folder name: ASCII characters that are unsafe in
    /// paths become `%XX`; everything else is kept.
    static func escapePartitionValue(_ value: String?) -> String {
        guard let value, !value.isEmpty else { return "__HIVE_DEFAULT_PARTITION__" }
        var out = ""
        for scalar in value.unicodeScalars {
            if scalar.value < 32 || scalar.value == 127 || "\"#%'*/:=?\\{[]^".unicodeScalars.contains(scalar) {
                let hex = String(scalar.value, radix: 16, uppercase: true)
                out += "%" + (hex.count < 2 ? "0" + hex : hex)
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
