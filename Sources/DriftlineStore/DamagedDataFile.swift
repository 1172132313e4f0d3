import DeltaTable
import DriftlineCore

/// A live data file of a table that could not be read (a page fails its checksum, the file is cut
/// short or missing): readers that skip damaged files (`rows(…, damaged:)`, `merged(…, damaged:)`)
/// leave its rows out and report it with this, so one endpoint's damaged file does not stop the others.
public struct DamagedDataFile: Sendable, Hashable, CustomStringConvertible {
    /// The full path of the file.
    public let file: String
    /// The endpoint (partition) it belongs to.
    public let endpoint: String
    /// The range of `window_start` its statistics declare (nil without statistics).
    public let windowStarts: ClosedRange<Timestamp>?
    /// Why it could not be read (a ``StoreError`` description naming the remedy).
    public let detail: String

    public var description: String { detail }
}

extension TableStorage {
    /// Runs `read` on `file`; a damaged file is appended to `damaged` and reads as no rows when the
    /// caller collects damage (`damaged` non-nil), and is thrown otherwise.
    func reading<T>(_ file: AddFile, damaged: inout [DamagedDataFile]?, _ read: () throws(StoreError) -> [T]) throws(StoreError) -> [T] {
        do {
            return try read()
        } catch {
            guard case .malformedData = error, damaged != nil else { throw error }
            damaged?.append(DamagedDataFile(file: path + "/" + file.relativePath, endpoint: TableStorage.endpoint(of: file),
                                            windowStarts: bounds.windowStarts(of: file), detail: error.description))
            return []
        }
    }
}
