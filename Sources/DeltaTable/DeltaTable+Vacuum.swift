#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import DriftlineCore
import DurableFiles

extension DeltaTable {
    /// Deletes data files that a commit removed longer than `retention` ago (default:
    /// the table's `delta.deletedFileRetentionDuration`, else `options.deletedFileRetention`, 7 days) and that no live file uses. Readers of snapshots older
    /// than the retention may then fail; that is the trade Delta's VACUUM makes.
    ///
    /// Like Delta's VACUUM, it also deletes Parquet files the log does not know at all (a writer killed
    /// between writing its data file and committing it leaves one) once their modification time is older
    /// than the retention; a writer still committing is that much younger. Files and folders whose names
    /// start with `_` or `.` (the log among them) are never touched.
    ///
    /// - Returns: the relative paths deleted, ordered.
    @discardableResult
    public func vacuum(retention: Duration? = nil, now: Timestamp = .now(), dryRun: Bool = false) throws -> [String] {
        let snapshot = try self.snapshot()
        try snapshot.protocolVersions.checkWritable(table: path)
        let cutoff = now.advanced(by: .zero - (retention ?? options.applying(snapshot.metadata.configuration).deletedFileRetention))
        var deleted: [String] = []
        for tombstone in snapshot.tombstones {
            let relative = tombstone.relativePath
            guard snapshot.filesByPath[relative] == nil,
                  Timestamp(milliseconds: tombstone.deletionTimestamp ?? 0) < cutoff,
                  (try? Self.validate(relativePath: relative)) != nil
            else { continue }
            let full = path + "/" + relative
            guard DurableFile.exists(full) else { continue }
            if !dryRun {
                try deltaIO { try DurableFile.remove(full) }
                try deltaIO { try Folder.sync(Folder.parent(of: full)) }
            }
            deleted.append(relative)
        }
        let known = Set(snapshot.filesByPath.keys).union(snapshot.tombstones.map(\.relativePath))
        for relative in try untrackedDataFiles(known: known) {
            let full = path + "/" + relative
            guard let modified = fileModificationTime(full), modified < cutoff else { continue }
            if !dryRun {
                try deltaIO { try DurableFile.remove(full) }
                try deltaIO { try Folder.sync(Folder.parent(of: full)) }
            }
            deleted.append(relative)
        }
        return deleted.sorted()
    }

    /// Relative paths of the `.parquet` files under the table folder that are not in `known`
    /// (names starting with `_` or `.` skipped, folders included).
    func untrackedDataFiles(known: Set<String>) throws -> [String] {
        var found: [String] = []
        var folders = [""]
        while let folder = folders.popLast() {
            let full = folder.isEmpty ? path : path + "/" + folder
            for name in try deltaIO({ try Folder.list(full) }) where !name.hasPrefix("_") && !name.hasPrefix(".") {
                let relative = folder.isEmpty ? name : folder + "/" + name
                var info = stat()
                guard lstat(full + "/" + name, &info) == 0 else { continue }
                if (info.st_mode & S_IFMT) == S_IFDIR {
                    folders.append(relative)
                } else if (info.st_mode & S_IFMT) == S_IFREG, name.hasSuffix(".parquet"), !known.contains(relative) {
                    found.append(relative)
                }
            }
        }
        return found
    }
}
