import Dispatch
import DriftlineCore
import DriftlineLog
import Foundation
import Synchronization

extension LogTail {
    /// Reads every followed partition once (up to `maxBatches` batches each). Returns whether anything was read.
    ///
    /// The partitions are read, decoded and profiled concurrently (up to `options.workers` tasks at once,
    /// each partition into its own accumulators). What must see the partitions in one order is applied one
    /// round later: the label join, split by join key into ``LabelJoin/shardCount`` shards, each applying
    /// its keys' items in partition and log order on a task of its own while the partitions read their next
    /// batches; then, on the stage's thread, the joined labels (in item order), counts, watermarks and
    /// positions, in partition order. ``drainPending()`` applies the last round before a commit, a
    /// reference check or a partition discovery.
    @discardableResult
    func readAvailable(maxBatches: Int = 16) throws -> Bool {
        var entries: [(key: String, reader: PartitionReader, shared: Bool, worker: PartitionWorker, round: PartitionWorker.Round)] = []
        for key in partitionOrder {
            guard let state = partitions[key] else { continue }
            let worker = workers[key] ?? PartitionWorker()
            workers[key] = worker
            entries.append((key, state.reader, state.shared, worker, worker.newRound()))
        }
        let current = entries
        // 1. Every partition reads (each reader is its own partition's files) while the previous round's join
        //    items are applied, a task per join shard: a shard task touches only its shards of the joins and
        //    its results in the previous rounds, the others only their reader and round. The task that
        //    applies the last shard then applies the rest of the previous round (it touches only the stage's
        //    state) and hands its rounds back, so their batches are freed while the reads go on.
        let previous = pending
        pending = []
        let joining = previous.isEmpty ? 0 : LabelJoin.shardCount
        if joining > 0 { prepareJoins(previous) }
        let shardsLeft = Mutex(joining)
        Parallel.forEach(joining + current.count, width: options.workers) { task in
            if task < joining {
                LogTail.applyJoinShard(task, of: previous)
                let last = shardsLeft.withLock { left in
                    left -= 1
                    return left == 0
                }
                if last { self.finishRounds(previous) }
                return
            }
            let entry = current[task - joining]
            do { entry.round.events = try entry.reader.read(maxBatches: maxBatches) } catch { entry.round.readError = error }
            entry.round.held = entry.reader.held
        }
        // 2. The model of every batch (created on first sight, in partition order), then a read-only view for the workers.
        for entry in current {
            for case .records(let batch) in entry.round.events { entry.round.batchModels.append(model(for: batch.manifest)) }
        }
        let views = models.map { PartitionWorker.ModelView(profiler: $0.profiler, earlier: $0.earlier, effectiveFrom: $0.effectiveFrom, refused: $0.refusal != nil) }
        // EventTimeRange: a record dated outside it is quarantined and moves no clock (one clock read a round).
        let validTimes = EventTimeRange(now: .now())
        let earliest = validTimes.lowerBound.microsecondsSinceEpoch, latest = validTimes.upperBound.microsecondsSinceEpoch
        let windows = self.windows
        // 3. Decode and profile every partition's batches into its own accumulators.
        Parallel.forEach(current.count, width: options.workers) { i in
            let entry = current[i]
            entry.worker.profile(entry.round, models: views, windows: windows, earliest: earliest, latest: latest, shared: entry.shared)
        }
        pending = current.map { PendingRound(key: $0.key, worker: $0.worker, round: $0.round, validTimes: validTimes) }
        // A read error is thrown after everything read (by the other partitions too) is applied: nothing is dropped.
        if let failed = current.first(where: { $0.round.readError != nil }), let error = failed.round.readError {
            drainPending()
            throw TailError(.log, "cannot read \(failed.key): \(error)")
        }
        return current.contains { !$0.round.events.isEmpty }
    }

    /// A partition's round read and profiled, not yet applied to the stage's state.
    struct PendingRound {
        let key: String
        let worker: PartitionWorker
        let round: PartitionWorker.Round
        let validTimes: EventTimeRange
    }

    /// Applies the round read last (its joins, counts, watermarks and positions), if it is not yet.
    func drainPending() {
        guard !pending.isEmpty else { return }
        let rounds = pending
        pending = []
        apply(rounds)
    }

    /// Applies rounds: their join items (a task per join shard), then the rest in partition order.
    func apply(_ rounds: [PendingRound]) {
        prepareJoins(rounds)
        Parallel.forEach(LabelJoin.shardCount, width: options.workers) { shard in LogTail.applyJoinShard(shard, of: rounds) }
        finishRounds(rounds)
    }

    /// Readies the rounds for the join tasks: each profiled records batch that will be applied (as
    /// ``handle(_:of:validTimes:)`` does) gets the shards of its endpoint's join (created on first use, with
    /// or without items, as applying the batch always did).
    func prepareJoins(_ rounds: [PendingRound]) {
        for entry in rounds {
            let round = entry.round
            round.batchShards.removeAll(keepingCapacity: true)
            round.shared = partitions[entry.key]?.shared ?? false
            guard !round.events.isEmpty, round.readError == nil else { continue }
            let applied = min(round.outcomes.count, round.batchModels.count)
            for case .records(let batch) in round.events {
                let ordinal = round.batchShards.count
                guard ordinal < applied else { break }
                guard case .profiled = round.outcomes[ordinal] else {
                    round.batchShards.append([])
                    continue
                }
                let endpoint = batch.manifest.endpoint
                if joins[endpoint] == nil { joins[endpoint] = takeJoin(endpoint) }
                round.batchShards.append(joins[endpoint]?.shards ?? [])
            }
        }
    }

    /// Applies shard `shard`'s join items of `rounds` (prepared by ``prepareJoins(_:)``), in partition order
    /// and, within a round, in item order; the labels it matches go to the round's `results[shard]`.
    /// Touches only that shard of each join and that result of each round: the shards run concurrently.
    static func applyJoinShard(_ shard: Int, of rounds: [PendingRound]) {
        var keys: [JoinKey] = []
        for entry in rounds {
            let round = entry.round
            let list = round.shardItems[shard]
            guard !list.isEmpty, !round.batchShards.isEmpty else { continue }
            let items = round.items, batchShards = round.batchShards, shared = round.shared
            let result = round.results[shard]
            var start = 0
            while start < list.count {
                // The items of one batch: warm the table lines they probe together (the loads overlap) first.
                let batch = Int(list[start].batch)
                var end = start + 1
                while end < list.count, list[end].batch == list[start].batch { end += 1 }
                defer { start = end }
                guard batch < batchShards.count, shard < batchShards[batch].count else { continue }
                let join = batchShards[batch][shard]
                keys.removeAll(keepingCapacity: true)
                for k in start..<end { keys.append(items[Int(list[k].item)].key) }
                join.warm(keys)
                for k in start..<end {
                    let i = Int(list[k].item)
                    let match: LabelJoin.Match
                    if let label = items[i].label {
                        match = join.addLabel(key: items[i].key, label.label, timestamp: label.timestamp.microsecondsSinceEpoch, shared: shared)
                    } else {
                        match = join.addPrediction(key: items[i].key, items[i].pending)
                    }
                    if case .join(let prediction, let label) = match {
                        result.joined.append(PartitionWorker.JoinedLabel(item: Int32(truncatingIfNeeded: i), prediction: prediction, label: label))
                    }
                }
            }
        }
    }

    /// Applies the rest of rounds whose join items are applied, in partition order (the joined labels are
    /// profiled, in item order), and hands them back to their workers.
    func finishRounds(_ rounds: [PendingRound]) {
        for entry in rounds {
            if !entry.round.events.isEmpty, entry.round.readError == nil {
                handle(entry.round, of: entry.key, validTimes: entry.validTimes)
            }
            if entry.round.readError == nil { noteHeld(entry.key, entry.round.held) }
            entry.worker.recycle(entry.round)
        }
        // What the shards counted: duplicates, and restored labels resolved (which may settle the carried ones).
        for endpoint in Array(joins.keys) {
            guard var join = joins.removeValue(forKey: endpoint) else { continue }
            join.collect()
            let duplicates = join.takeNewDuplicates()
            joins[endpoint] = join
            guard duplicates > 0 else { continue }
            counts.duplicateLabels += duplicates
            metrics.duplicateLabels.increment(by: duplicates)
        }
    }

    /// Reports a partition whose reader is held before a batch it cannot decode (its manifest is unreadable),
    /// once when it is held and once when it resumes; the other partitions are read as usual.
    func noteHeld(_ key: String, _ reason: String?) {
        guard heldPartitions[key] != reason else { return }
        if let reason {
            logger.error("\(key): held at \(reason)")
        } else {
            logger.info("\(key): resumed (its manifest can be read again)")
        }
        heldPartitions[key] = reason
        metrics.partitionsHeldUnreadable.set(to: Double(heldPartitions.count))
    }

    /// `--once`: processes everything in the log now (new partitions included), commits, and returns the
    /// committed version (nil when there was nothing new). `maxRecords` stops reading once about that many
    /// records were read (whole batches; the rest is read by the next run).
    @discardableResult
    public func runOnce(maxRecords: Int? = nil) throws -> Int64? {
        try discoverPartitions()
        checkReferences()
        var lastCommit = ContinuousClock.now
        let startRead = recordsRead
        while try readAvailable(maxBatches: 64) {
            if let maxRecords, recordsRead - startRead >= Int64(maxRecords) { break }
            if ContinuousClock.now - lastCommit >= options.commitInterval {
                try commit()
                lastCommit = ContinuousClock.now
            }
        }
        return try commit()
    }

    /// Follows the log until `shouldStop` returns true (checked between reads, so within about a poll
    /// interval), committing every commit interval and once more before returning.
    ///
    /// A failed commit (disk full, permissions, a damaged newest commit too young to move) does not stop
    /// it: it logs a warning, counts `driftline_tail_commit_failures_total`, keeps reading, and tries
    /// again after 1 s, 2 s, 4 s … up to `commitInterval` (at least 1 min); the rows and positions of the
    /// failed try are kept, so a later success commits them once. A missing log folder is waited for.
    public func run(until shouldStop: @Sendable () -> Bool) async throws {
        let clock = ContinuousClock()
        var lastCommit = clock.now
        var lastDiscovery = clock.now
        var retry = CommitRetry(limit: max(options.commitInterval, .seconds(60)))
        checkReferences()
        lastReferenceCheck = clock.now
        while !shouldStop() {
            let progressed = try readAvailable()
            let now = clock.now
            if now - lastDiscovery >= options.discoveryInterval {
                try discoverPartitions()
                updateLag()
                lastDiscovery = now
            }
            if now - lastReferenceCheck >= options.referenceCheckInterval {
                checkReferences()
                lastReferenceCheck = now
            }
            if now - lastCommit >= options.commitInterval, retry.isDue(at: now) {
                do {
                    try commit()
                    if retry.failures > 0 {
                        logger.notice("commit succeeded after \(retry.failures) failed tries; nothing was lost or duplicated")
                    }
                    retry.succeeded()
                    metrics.commitRetrySeconds.set(to: 0)
                    lastCommit = clock.now
                } catch let error as TailError where error.kind == .store {
                    let delay = retry.failed(at: clock.now)
                    metrics.commitFailures.increment()
                    metrics.commitRetrySeconds.set(to: Double(delay.components.seconds))
                    logger.warning("\(error); its data files were removed; retrying in \(delay) (failure \(retry.failures)), reading on meanwhile")
                }
            }
            if !progressed {
                try? await Task.sleep(for: options.pollInterval)
            }
        }
        try commit()
    }

    /// Exponential backoff of failed commits: 1 s, 2 s, 4 s … up to `limit`.
    struct CommitRetry {
        let limit: Duration
        private(set) var failures = 0
        private var next: ContinuousClock.Instant?

        init(limit: Duration) { self.limit = limit }

        func isDue(at now: ContinuousClock.Instant) -> Bool { next.map { now >= $0 } ?? true }

        mutating func failed(at now: ContinuousClock.Instant) -> Duration {
            failures += 1
            var delay = Duration.seconds(1)
            for _ in 1..<min(failures, 30) where delay < limit { delay *= 2 }
            delay = min(delay, limit)
            next = now + delay
            return delay
        }

        mutating func succeeded() {
            failures = 0
            next = nil
        }
    }

    /// Seconds (now − latest event time) and bytes (log not yet read) behind, per endpoint, for `/metrics`.
    func updateLag() {
        let now = Timestamp.now().microsecondsSinceEpoch
        for (endpoint, watermark) in watermarks where watermark != .min {
            metrics.setLag(endpoint: endpoint, seconds: Double(max(0, now.saturatingSubtract(watermark))) / 1e6)
        }
        var bytes: [String: Int64] = [:]
        for state in partitions.values {
            bytes[state.partition.endpoint, default: 0] += unreadBytes(state)
        }
        for (endpoint, behind) in bytes { metrics.setLagBytes(endpoint: endpoint, bytes: behind) }
    }

    /// Bytes of the partition's segment files after the last batch read.
    func unreadBytes(_ state: PartitionState) -> Int64 {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: state.partition.path) else { return 0 }
        let current = state.segmentPath.map { ($0 as NSString).lastPathComponent }
        var total: Int64 = 0
        for name in names where name.hasSuffix(".log") {
            guard let size = (try? FileManager.default.attributesOfItem(atPath: state.partition.path + "/" + name))?[.size] as? Int else { continue }
            if let current {
                if name == current { total += Int64(max(0, size - state.segmentEnd)) } else if name > current { total += Int64(size) }
            } else {
                total += Int64(size)
            }
        }
        return total
    }
}
