extension DeltaTable {
    /// Deletes data files that a commit removed longer than `retention` ago (default:
    /// the table's `delta.deletedFileRetentionDuration`, else `options.deletedFileRetention`, 7 days) and that no live file uses. Readers of snapshots older
    /// than the retention may then fail; that is the trade Delta's VACUUM makes.
    ///
    /// - Returns: the relative paths deleted, ordered.
    @discardableResult
    public func vacuum(retention: Duration? = nil, now: DeltaTimestamp = .now(), dryRun: Bool = false) throws -> [String] {
        let snapshot = try self.snapshot()
        try snapshot.protocolVersions.checkWritable(table: path)
        let cutoff = now.adding(.zero - (retention ?? options.applying(snapshot.metadata.configuration).deletedFileRetention))
        var deleted: [String] = []
        for tombstone in snapshot.tombstones {
            let relative = tombstone.relativePath
            guard snapshot.filesByPath[relative] == nil,
                  DeltaTimestamp(milliseconds: tombstone.deletionTimestamp ?? 0) < cutoff,
                  (try? Self.validate(relativePath: relative)) != nil
            else { continue }
            let full = path + "/" + relative
            guard DurableFiles.exists(full) else { continue }
            if !dryRun {
                try DurableFiles.remove(full)
                try DurableFiles.syncDirectory(DurableFiles.split(full).0)
            }
            deleted.append(relative)
        }
        return deleted
    }
}
