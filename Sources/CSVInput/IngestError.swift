/// Why `ingest` stopped: the file cannot be read, the log cannot be opened, or a write failed. The
/// message says what to do, and for a failed write that running the same command again resumes.
public enum IngestError: Error, Sendable, CustomStringConvertible {
    /// The CSV file cannot be read at all (no header, duplicate or missing columns).
    case file(String)
    /// The log partition cannot be opened (locked by another writer, permissions, a bad name).
    case open(String)
    /// Writing (or reading back) the log failed; `resume` when the rows written so far are durable and a
    /// re-run skips them.
    case write(String, resume: Bool)

    public var description: String {
        switch self {
        case .file(let text), .open(let text): return text
        case .write(let text, let resume):
            return resume ? "\(text); fix the cause and run the same command again: it resumes, skipping the rows already in the log" : text
        }
    }
}
