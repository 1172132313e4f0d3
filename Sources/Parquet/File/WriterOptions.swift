/// Settings of a `ParquetWriter`.
public struct WriterOptions: Sendable {
    /// Page compression: `.lz4Raw` (default) or `.uncompressed`.
    public var compression: CompressionCodec = .lz4Raw
    /// Dictionary-encode columns whose values repeat (falls back to PLAIN per column chunk
    /// when the dictionary would exceed `maxDictionaryBytes` or the values look distinct).
    public var dictionaryEnabled = true
    /// Dotted leaf paths never dictionary-encoded.
    public var plainColumns: Set<String> = []
    /// A column chunk whose dictionary would exceed this many bytes is written PLAIN.
    public var maxDictionaryBytes = 1 << 20
    /// Target uncompressed size of a data page.
    public var dataPageBytes = 1 << 20
    /// Upper bound on level entries per data page.
    public var maxLevelsPerPage = 1 << 20
    /// Upper bound on a row group's estimated uncompressed size; larger batches are split.
    public var maxRowGroupBytes = 128 << 20
    /// File-level key/value metadata.
    public var keyValueMetadata: [KeyValue] = []
    /// The `created_by` string.
    public var createdBy = "driftline-parquet version 0.1.0"
    /// Encode the columns of large row groups on all cores (each column is buffered in
    /// memory first, which costs a copy; worth it when cores are idle).
    public var parallelEncoding = false
    /// fsync the file before `close()` returns.
    public var fsyncOnClose = false

    public init() {}
}
