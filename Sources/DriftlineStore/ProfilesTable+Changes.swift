import DeltaTable
import DurableFiles

/// One kind of row a data-changing `profiles` commit added: which model, window and column.
public struct ProfileChange: Sendable, Hashable {
    public var endpoint: String
    public var modelVersion: String
    public var windowStartMicroseconds: Int64
    public var columnName: String

    public init(endpoint: String, modelVersion: String, windowStartMicroseconds: Int64, columnName: String) {
        self.endpoint = endpoint
        self.modelVersion = modelVersion
        self.windowStartMicroseconds = windowStartMicroseconds
        self.columnName = columnName
    }
}

/// What the data-changing `profiles` commits of a range added.
public struct ProfileChanges: Sendable {
    /// The distinct (endpoint, model version, window, column) of their rows.
    public var rows: Set<ProfileChange> = []
    /// Endpoint → why an added file of it could not be read (its rows are unknown).
    public var unreadable: [String: String] = [:]
}

extension ProfilesTable {
    /// The latest version of the table (nil when it has none).
    public func latestVersion() throws(StoreError) -> Int64? {
        do { return try storage.table.latestVersion() } catch { throw storage.deltaError(error) }
    }

    /// The version a read sees now: the latest, or the one before a damaged newest commit, which is then
    /// listed in ``skippedCommits`` (the table opened as a reader, without `repairing`).
    public func readableVersion() throws(StoreError) -> Int64 {
        try storage.snapshot().version
    }

    /// The damaged newest commits this value's reads skipped (read as of the version before each), in the
    /// order seen; empty for a writer, which gets such a commit as an error.
    public var skippedCommits: [SkippedCommit] { storage.skipped.all }

    /// What the commits after `version` up to `through` added that changes the data: for each `add` with
    /// `dataChange = true` of a commit that is not a compaction (`operation` OPTIMIZE), the distinct
    /// (endpoint, model version, window start, column) of its rows. Only those new files are opened
    /// (every data file of the table is not). Nil when a commit of the
    /// range is no longer in the log (cleaned up): the caller must then assume everything changed.
    public func changes(after version: Int64, through: Int64) throws(StoreError) -> ProfileChanges? {
        var out = ProfileChanges()
        guard through > version else { return out }
        for v in (version + 1)...through {
            let actions: [Action]
            do { actions = try storage.table.actions(version: v) } catch { return nil }
            var isCompaction = false
            for case let .commitInfo(info) in actions {
                if case .string("OPTIMIZE")? = info["operation"] { isCompaction = true }
            }
            if isCompaction { continue }
            for case let .add(file) in actions where file.dataChange {
                guard DurableFile.exists(path + "/" + file.relativePath) else { return nil }
                let rows: [ProfileRow]
                do { rows = try readFile(file) } catch {
                    out.unreadable[TableStorage.endpoint(of: file)] = error.description
                    continue
                }
                for row in rows {
                    out.rows.insert(ProfileChange(endpoint: row.endpoint, modelVersion: row.modelVersion,
                                             windowStartMicroseconds: row.windowStartMicroseconds, columnName: row.columnName))
                }
            }
        }
        return out
    }
}

extension ProfilesTable {
    /// The endpoints with live data files in the table, sorted.
    public func endpoints() throws(StoreError) -> [String] {
        Set(try storage.snapshot().files.map(TableStorage.endpoint(of:))).sorted()
    }
}
