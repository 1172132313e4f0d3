extension DeltaTable {
    /// Replays the log up to its latest version, starting from `cached` when its commits are still
    /// there, else from the newest checkpoint, else from version 0.
    /// `target` stops the replay at that version (time travel); nil replays to the latest.
    func loadSnapshot(after cached: Snapshot?, through target: Int64? = nil) throws -> Snapshot {
        // A concurrent log cleanup may delete a commit between listing and reading: list again once.
        do {
            return try replay(after: cached, through: target)
        } catch DeltaError.io(_, "open", ENOENT) {
            return try replay(after: nil, through: target)
        }
    }

    private func replay(after cached: Snapshot?, through target: Int64?) throws -> Snapshot {
        let listing = try log.list()
        let newest = max(listing.commits.last ?? -1, listing.checkpoints.last ?? -1)
        guard newest >= 0 else { throw DeltaError.notATable(path: path) }
        if let target, target < 0 || target > newest {
            throw DeltaError.invalidArgument("\(path) has versions up to \(newest); version \(target) does not exist")
        }
        let latest = target ?? newest
        let commits = Set(listing.commits)

        if let cached, cached.version <= latest,
           cached.version == latest || commits.contains(cached.version + 1) {
            var state = ReplayState(cached)
            try applyCommits(from: cached.version + 1, through: latest, available: commits, to: &state)
            return try state.snapshot(table: path)
        }

        var state = ReplayState()
        var start: Int64 = 0
        if let checkpoint = listing.checkpoints.last(where: { $0 <= latest }) {
            state = try readCheckpoint(version: checkpoint)
            start = checkpoint + 1
        } else if !commits.contains(0) {
            if let other = listing.others.first(where: { $0.name.contains(".checkpoint.") }) {
                throw DeltaError.unsupportedProtocol(
                    table: path, detail: "only a multi-part or UUID-named checkpoint (\(other.name)) covers the start of the log; "
                        + "this library reads classic single-file checkpoints")
            }
            if target != nil, let oldest = listing.commits.first {
                throw DeltaError.invalidArgument("\(path): version \(latest) was cleaned from the log; the oldest is \(oldest)")
            }
            throw DeltaError.notATable(path: path)
        }
        try applyCommits(from: start, through: latest, available: commits, to: &state)
        return try state.snapshot(table: path)
    }

    private func applyCommits(from first: Int64, through last: Int64, available: Set<Int64>,
                              to state: inout ReplayState) throws {
        guard first <= last else { return }
        for version in first...last {
            guard available.contains(version) else { throw DeltaError.missingVersion(table: path, version: version) }
            state.apply(try actions(version: version))
            state.version = version
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
