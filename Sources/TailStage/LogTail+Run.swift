import DriftlineCore
import DriftlineLog

extension LogTail {
    /// Reads every followed partition once (up to `maxBatches` batches each). Returns whether anything was read.
    @discardableResult
    func readAvailable(maxBatches: Int = 16) throws -> Bool {
        var progressed = false
        for key in partitionOrder {
            guard let reader = partitions[key]?.reader else { continue }
            let events: [LogEvent]
            do { events = try reader.read(maxBatches: maxBatches) } catch { throw TailError(.log, "cannot read \(key): \(error)") }
            if !events.isEmpty {
                progressed = true
                handle(events, of: key)
            }
        }
        return progressed
    }

    /// `--once`: processes everything in the log now (new partitions included), commits, and returns the
    /// committed version (nil when there was nothing new).
    @discardableResult
    public func runOnce() throws -> Int64? {
        try discoverPartitions()
        checkReferences()
        var lastCommit = ContinuousClock.now
        while try readAvailable(maxBatches: 64) {
            if ContinuousClock.now - lastCommit >= options.commitInterval {
                try commit()
                lastCommit = ContinuousClock.now
            }
        }
        return try commit()
    }

    /// Follows the log until `shouldStop` returns true (checked between reads, so within about a poll
    /// interval), committing every commit interval and once more before returning.
    public func run(until shouldStop: @Sendable () -> Bool) async throws {
        let clock = ContinuousClock()
        var lastCommit = clock.now
        var lastDiscovery = clock.now
        checkReferences()
        lastReferenceCheck = clock.now
        while !shouldStop() {
            let progressed = try readAvailable()
            let now = clock.now
            if now - lastDiscovery >= options.discoveryInterval {
                try discoverPartitions()
                lastDiscovery = now
            }
            if now - lastReferenceCheck >= options.referenceCheckInterval {
                checkReferences()
                lastReferenceCheck = now
            }
            if now - lastCommit >= options.commitInterval {
                try commit()
                lastCommit = clock.now
            }
            if !progressed {
                updateLag()
                try? await Task.sleep(for: options.pollInterval)
            }
        }
        try commit()
    }

    /// Bytes and seconds behind the end of each partition, for `/metrics`.
    func updateLag() {
        let now = Timestamp.now().microsecondsSinceEpoch
        for (endpoint, watermark) in watermarks where watermark != .min {
            metrics.setLag(endpoint: endpoint, seconds: Double(max(0, now - watermark)) / 1e6)
        }
    }
}
