#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import DeltaTable
import DriftlineCore
import DriftlineLog
import DriftlineStore
import Profiles
import Profiling

extension LogTail {
    /// Commits the partial rows accumulated since the last commit, with the positions they cover, as one
    /// Delta commit; then writes the consumer offsets. Does nothing when nothing was read.
    /// Returns the committed version, or nil when there was nothing to commit.
    @discardableResult
    public func commit() throws -> Int64? {
        drainPending()
        expireJoins()
        foldWorkers()
        guard positionsChanged || !accumulators.isEmpty || counts != TailProgress.Counts() else { return nil }
        let started = ContinuousClock.now
        // Each window's rows on its own task (up to `options.workers` at once), concatenated in window order.
        let windowList = accumulators, keys = accumulatorKeys, manifests = models.map(\.manifest), windows = self.windows
        var perWindow = [[ProfileRow]](repeating: [], count: windowList.count)
        perWindow.withUnsafeMutableBufferPointer { out in
            Parallel.forEach(windowList.count, width: options.workers) { index in
                let key = keys[index]
                let manifest = manifests[key.model]
                let start = Timestamp(microsecondsSinceEpoch: key.windowStart)
                out[index] = windowList[index].rows(endpoint: manifest.endpoint, modelVersion: manifest.modelVersion,
                                                    windowStart: start, windowEnd: windows.end(ofWindowStartingAt: start))
            }
        }
        var rows: [ProfileRow] = []
        rows.reserveCapacity(perWindow.reduce(0) { $0 + $1.count })
        for part in perWindow { rows += part }
        try checkLastCommit()
        // Values beyond ±1e100 of this interval, by endpoint: counted in the progress (not in `counts`, so a
        // failed commit that is retried does not count them twice), published once the commit is in.
        var outOfRange: [String: (count: Int64, example: String)] = [:]
        for (index, window) in accumulators.enumerated() where window.outOfRangeValues > 0 {
            let endpoint = models[accumulatorKeys[index].model].manifest.endpoint
            let example = window.outOfRangeExample.map { "column \($0.column) = \($0.value)" } ?? ""
            outOfRange[endpoint, default: (0, example)].count += window.outOfRangeValues
        }
        var progress = currentProgress()
        progress.counts.rows = Int64(rows.count)
        progress.counts.outOfRangeValues += outOfRange.values.reduce(0) { $0 + $1.count }
        let version: Int64
        do {
            // Other tails of the fleet commit to the same table: a version one of them won first is retried
            // at the next (blind appends with distinct `txn`s never conflict).
            let result = try profiles.appendCounting(
                rows, transaction: AppTransaction(appId: options.applicationID, version: transactionVersion + 1),
                commitInfo: progress.commitInfo)
            version = result.version
            metrics.commitAttempts.increment(by: Int64(result.attempts))
        } catch {
            // The commit may be in place although the call failed (the folder's fsync failed after the link):
            // then it counts as done, or a retry would be refused as a duplicate forever.
            guard let landed = try? profiles.transactionVersion(appId: options.applicationID), landed == transactionVersion + 1 else {
                throw TailError(.store, "cannot commit \(rows.count) profile rows to \(profiles.path): \(error)")
            }
            logger.warning("the commit reported \(error) but is in the table (txn \(landed)); going on")
            version = (try? profiles.table.latestVersion()) ?? -1
        }
        transactionVersion += 1
        lastCommitVersion = version >= 0 ? version : nil
        committed = progress
        runTotals.add(progress.counts)
        runCommits += 1
        metrics.committed(rows: rows.count, duration: ContinuousClock.now - started)
        publishClosedWindows()
        accumulators.removeAll(keepingCapacity: true)
        accumulatorKeys.removeAll(keepingCapacity: true)
        accumulatorIndex.removeAll(keepingCapacity: true)
        for line in progress.quarantine.lines { logger.error("\(line)") }
        for endpoint in outOfRange.keys.sorted() {
            guard let entry = outOfRange[endpoint] else { continue }
            metrics.outOfRange(endpoint: endpoint, count: entry.count)
            logger.warning("endpoint \(endpoint): \(entry.count) values beyond ±1e100 profiled as missing (out of range; e.g. \(entry.example)); log NaN for a missing value instead of a sentinel")
        }
        counts = TailProgress.Counts()
        quarantine.removeAll()
        positionsChanged = false
        writeConsumerOffsets()
        logger.debug("committed version \(version): \(rows.count) rows, \(progress.counts.records) records")
        return version
    }

    /// Merges every partition worker's accumulators and the stage's own (labels joined) into one per
    /// (model, window), in a canonical order that no scheduling changes: windows sorted by model and start,
    /// and each window's parts merged in sorted partition order, the stage's last. (The sketches' merge
    /// coins are seeded from the data they merge, so equal parts in equal order give equal bytes.) Parts
    /// that cannot merge (profiled over different reference bins) stay apart: each becomes a partial row.
    func foldWorkers() {
        var parts: [WindowKey: [WindowProfile]] = [:]
        for key in workers.keys.sorted() {
            guard let worker = workers[key] else { continue }
            let taken = worker.takeAccumulators()
            for (key, window) in zip(taken.keys, taken.windows) { parts[key, default: []].append(window) }
        }
        guard !parts.isEmpty else { return }
        for (index, key) in accumulatorKeys.enumerated() { parts[key, default: []].append(accumulators[index]) }
        accumulators = []
        accumulatorKeys = []
        accumulatorIndex = [:]
        let ordered = parts.keys.sorted { ($0.model, $0.windowStart) < ($1.model, $1.windowStart) }
        let lists = ordered.map { parts.removeValue(forKey: $0) ?? [] }
        // Each window's parts are merged on its own task (up to `options.workers` at once): the windows are
        // independent, and each one's parts merge in the order above whatever thread merges them.
        var folded = [[WindowProfile]](repeating: [], count: lists.count)
        folded.withUnsafeMutableBufferPointer { out in
            Parallel.forEach(lists.count, width: options.workers) { index in
                var list = lists[index]
                guard !list.isEmpty else { return }
                var result: [WindowProfile] = []
                var merged = list.removeFirst()
                for other in list {
                    do throws(ProfileError) {
                        try merged.merge(other)
                    } catch {
                        result.append(merged)
                        merged = other
                    }
                }
                result.append(merged)
                out[index] = result
            }
        }
        for (key, windows) in zip(ordered, folded) where !windows.isEmpty {
            for window in windows {
                accumulators.append(window)
                accumulatorKeys.append(key)
            }
            accumulatorIndex[key] = accumulators.count - 1
        }
    }

    /// Checks that this tail's last commit is still in the table: a damaged commit moved aside by another
    /// writer takes its rows and positions with it, and committing on from memory would skip them for good.
    func checkLastCommit() throws {
        guard let version = lastCommitVersion else { return }
        let actions: [Action]
        do {
            actions = try profiles.table.actions(version: version)
        } catch DeltaError.io(_, "open", ENOENT) {
            // Log cleanup deletes old commits a checkpoint covers, never the newest one; a commit moved aside
            // leaves its version free, so no later version exists.
            guard let latest = try? profiles.table.latestVersion(), latest >= version else {
                throw lostCommit(version, "its file is gone and no later version exists")
            }
            return
        } catch {
            throw lostCommit(version, "\(error)")
        }
        let mine = actions.contains { action in
            if case let .txn(txn) = action { return txn.appId == options.applicationID && txn.version == transactionVersion }
            return false
        }
        guard mine else { throw lostCommit(version, "that version now holds another writer's commit") }
    }

    private func lostCommit(_ version: Int64, _ detail: String) -> TailError {
        TailError(.commitLost, "this tail's commit \(version) (txn \(transactionVersion) of \(options.applicationID)) is no longer in \(profiles.path) "
            + "(\(detail)); stopping: restart the tail, it resumes from the table's last commit and profiles the log again from there")
    }

    /// Positions, join starts and watermarks of every followed partition and endpoint, with this interval's counts.
    func currentProgress() -> TailProgress {
        var progress = TailProgress()
        // Keep what earlier commits recorded for partitions not (yet) opened, so no position is forgotten.
        progress.positions = committed.positions
        progress.joinFrom = committed.joinFrom
        progress.watermarks = committed.watermarks
        for (key, state) in partitions {
            progress.positions[key] = state.reader.position
            progress.joinFrom[key] = state.horizonHead < state.horizonBatches.count
                ? state.horizonBatches[state.horizonHead].offset : state.reader.position
        }
        // The labels waiting at this commit (the next restart's rebuild cannot tell them from joined ones).
        progress.waitingLabels = carriedWaiting
        for (endpoint, join) in joins {
            let waiting = join.waitingToCommit
            progress.waitingLabels[endpoint] = waiting == LabelJoin.Carried() ? nil : waiting
        }
        for (endpoint, watermark) in watermarks where watermark != .min {
            progress.watermarks[endpoint] = Timestamp(microsecondsSinceEpoch: watermark)
        }
        progress.counts = counts
        progress.quarantine = quarantine
        progress.schemas = committed.schemas
        for (key, fingerprint) in versionSchemas where progress.schemas[key] == nil { progress.schemas[key] = fingerprint.hex }
        return progress
    }

    /// Drops join entries and horizon batches older than each endpoint's watermark minus the horizon.
    func expireJoins() {
        let horizon = options.joinHorizon.wholeMicroseconds
        for endpoint in Array(joins.keys) {
            guard let watermark = watermarks[endpoint], watermark != .min else { continue }
            let cutoff = watermark.saturatingSubtract(horizon)
            joins[endpoint]?.expire(before: cutoff)
            guard let new = joins[endpoint]?.takeNewCounts() else { continue }
            counts.unmatchedLabels += new.unmatched
            metrics.unmatchedLabels.increment(by: new.unmatched)
            counts.sharedLabelsNotHeld += new.notHeld
            metrics.sharedLabelsNotHeld.increment(by: new.notHeld)
        }
        for key in partitionOrder {
            guard var state = partitions[key], let watermark = watermarks[state.partition.endpoint], watermark != .min else { continue }
            let cutoff = watermark.saturatingSubtract(horizon)
            while state.horizonHead < state.horizonBatches.count, state.horizonBatches[state.horizonHead].maxTimestamp < cutoff {
                state.horizonHead += 1
            }
            if state.horizonHead > 4096, state.horizonHead * 2 > state.horizonBatches.count {
                state.horizonBatches.removeFirst(state.horizonHead)
                state.horizonHead = 0
            }
            partitions[key] = state
        }
        var pending = 0, waiting = 0
        for join in joins.values {
            pending += join.pendingPredictions
            waiting += join.waitingLabels
        }
        metrics.setJoinState(pendingPredictions: pending, waitingLabels: waiting)
    }

    /// Tells the log's retention what is consumed (after the commit: a crash in between only re-reads).
    func writeConsumerOffsets() {
        // The shared labels log is read by every tail: no one tail's position may hold its retention back.
        for (key, state) in partitions where !state.shared && consumerOffsets[key] != state.reader.position {
            do {
                try ConsumerOffset.write(state.reader.position, consumer: options.consumerName, in: state.partition.path)
                consumerOffsets[key] = state.reader.position
            } catch {
                logger.warning("cannot write the consumer offset of \(key): \(error)")
            }
        }
    }
}
