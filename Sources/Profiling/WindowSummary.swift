import Profiles

/// What `/metrics` shows of a window: requests, errors, serving latency, numeric feature means and
/// predicted-class counts, summed over the window's (partial) profiles.
public struct WindowSummary: Sendable {
    public internal(set) var requests: Int64 = 0
    public internal(set) var errors: Int64 = 0
    /// The serving latencies (`:latency_ms`) of the window's records.
    public internal(set) var latency = KLLSketch()
    /// Per numeric feature: values counted and their sum.
    public internal(set) var featureMeans: [String: (count: Int64, sum: Double)] = [:]
    /// Predicted classes and how often (classification).
    public internal(set) var classCounts: [String: Int64] = [:]

    public init() {}

    /// Adds a (partial) window profile.
    public mutating func add(_ window: WindowProfile) {
        guard window.records > 0 else { return }
        requests += window.records
        let profiler = window.profiler
        for (index, feature) in profiler.schema.features.enumerated() where feature.kind == .numeric {
            let slot = profiler.featureSlots[index]
            let moments = window.numeric[slot].moments
            guard moments.count > 0 else { continue }
            var entry = featureMeans[feature.name] ?? (0, 0)
            entry.count += moments.count
            entry.sum += moments.mean * Double(moments.count)
            featureMeans[feature.name] = entry
        }
        latency.merge(window.numeric[profiler.latencySlot].sketch)
        let outcomes = window.categorical[profiler.errorSlot]
        errors += outcomes.count - (outcomes.counts[RecordProfiler.ok] ?? 0)
        if profiler.isClassification {
            for (name, count) in window.categorical[profiler.predictionSlot].counts { classCounts[name, default: 0] += count }
        }
    }
}
