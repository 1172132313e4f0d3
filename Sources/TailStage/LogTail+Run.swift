import Dispatch
import DriftlineCore
import DriftlineLog
import Foundation

extension LogTail {
    /// Reads every followed partition once (up to `maxBatches` batches each). Returns whether anything was read.
    ///
    /// The partitions are read, decoded and profiled concurrently (up to `options.workers` tasks at once,
    /// each partition into its own accumulators). What must see the partitions in one order (the label
    /// join, counts, watermarks and positions) is applied on the stage's state in partition order, one
    /// round later: while the partitions read their next batches. ``drainPending()`` applies the last
    /// round before a commit, a reference check or a partition discovery.
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
        // 1. Every partition reads (each reader is its own partition's files) while the previous round is
        //    applied: that task touches only the stage's state, the others only their reader and round.
        let previous = pending
        pending = []
        let applying = previous.isEmpty ? 0 : 1
        Parallel.forEach(current.count + applying, width: options.workers) { task in
            if task < applying {
                self.apply(previous)
                return
            }
            let entry = current[task - applying]
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

    /// Applies rounds in partition order, and hands them back to their workers.
    func apply(_ rounds: [PendingRound]) {
        for entry in rounds {
            if !entry.round.events.isEmpty, entry.round.readError == nil {
                handle(entry.round, of: entry.key, validTimes: entry.validTimes)
            }
            if entry.round.readError == nil { noteHeld(entry.key, entry.round.held) }
            entry.worker.recycle(entry.round)
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
