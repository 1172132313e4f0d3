import DeltaTable
import DriftlineCore

/// What a tail commit covers, stored in the commit's `commitInfo` under `"driftline"` so that a restart
/// resumes exactly after it:
///
/// ```json
/// {"driftline": {"positions": {"iris/host-1": 120000},   // next log offset per partition
///                "joinFrom": {"iris/host-1": 80000},      // first offset the label join must re-read
///                "watermarks": {"iris": 1795000000000000}, // latest event time seen per endpoint (µs)
///                "records": 5000, "labelsJoined": 300, "lostRecords": 0, "corruptBatches": 0,
///                "unmatchedLabels": 0, "duplicateLabels": 0, "rows": 120,
///                "quarantinedRecords": 1, "outOfRangeValues": 0,     // refused records, values beyond ±1e100
///                "quarantine": {"iris": {"records": 1, "reason": "event time 2100-01-01T00:00:00Z ..."}},
///                "schemas": {"iris/3": "a1b2c3d4e5f60718"},          // the schema of each model version
///                "sharedLabelsNotHeld": 0,    // labels of --labels-log whose prediction another tail holds
///                "waitingLabels": {"iris": {"own": 2, "shared": 0}}}}  // labels waiting for their prediction
/// ```
/// A partition of the shared labels log (`--labels-log`) is keyed `<tail id>@labels:<endpoint>/<writer>`:
/// every tail reads it whole, with its own positions.
/// ```json
/// ```
/// Positions are those of *all* partitions the tail owns, not only those that moved, so the last commit
/// of an application is a complete checkpoint.
public struct TailProgress: Sendable, Equatable {
    /// Next offset to read, by partition (`endpoint/writer-id`).
    public var positions: [String: Int64] = [:]
    /// Offset from which the label join state is rebuilt on start, by partition.
    public var joinFrom: [String: Int64] = [:]
    /// Latest event time seen, by endpoint.
    public var watermarks: [String: Timestamp] = [:]
    /// Counts of this commit alone.
    public var counts = Counts()
    /// The schema fingerprint (hex) each model version was first committed with, by `endpoint/version`:
    /// a model version's schema is immutable, so records of the same version with another schema are
    /// quarantined (see ``Quarantine``).
    public var schemas: [String: String] = [:]
    /// Records quarantined by this commit, by endpoint.
    var quarantine = Quarantine()
    /// Labels waiting for their prediction at this commit, by endpoint (endpoints with none are left out).
    /// A restart cannot tell them from labels that joined a prediction since dropped from the join, so it
    /// counts those that never join from these figures (see ``LabelJoin/Carried``).
    var waitingLabels: [String: LabelJoin.Carried] = [:]

    /// What one commit added (not cumulative).
    public struct Counts: Sendable, Equatable {
        public var records: Int64 = 0
        public var labelsJoined: Int64 = 0
        public var lostRecords: Int64 = 0
        public var corruptBatches: Int64 = 0
        public var unmatchedLabels: Int64 = 0
        public var duplicateLabels: Int64 = 0
        public var rows: Int64 = 0
        /// Records refused (event time outside the valid range, invalid names, changed schema).
        public var quarantinedRecords: Int64 = 0
        /// Finite values beyond ±1e100 profiled as missing (DriftlineCore's `ValueRange`).
        public var outOfRangeValues: Int64 = 0
        /// Labels of the shared labels log that waited out the join horizon here without this tail holding
        /// their prediction (another tail holds it, or none: then no tail counts it as unmatched).
        public var sharedLabelsNotHeld: Int64 = 0
        public init() {}
    }

    public init() {}

    static let key = "driftline"

    /// The `commitInfo` entries of this progress.
    public var commitInfo: [String: JSONValue] {
        func offsets(_ values: [String: Int64]) -> JSONValue { .object(values.mapValues { .int($0) }) }
        let object: [String: JSONValue] = [
            "positions": offsets(positions),
            "joinFrom": offsets(joinFrom),
            "watermarks": .object(watermarks.mapValues { .int($0.microsecondsSinceEpoch) }),
            "records": .int(counts.records),
            "labelsJoined": .int(counts.labelsJoined),
            "lostRecords": .int(counts.lostRecords),
            "corruptBatches": .int(counts.corruptBatches),
            "unmatchedLabels": .int(counts.unmatchedLabels),
            "duplicateLabels": .int(counts.duplicateLabels),
            "rows": .int(counts.rows),
            "quarantinedRecords": .int(counts.quarantinedRecords),
            "outOfRangeValues": .int(counts.outOfRangeValues),
            "sharedLabelsNotHeld": .int(counts.sharedLabelsNotHeld),
            "quarantine": quarantine.commitInfoValue,
            "schemas": .object(schemas.mapValues { .string($0) }),
            "waitingLabels": .object(waitingLabels.mapValues { .object(["own": .int($0.own), "shared": .int($0.shared)]) }),
        ]
        return [Self.key: .object(object), "operation": .string("DRIFTLINE TAIL")]
    }

    /// The progress recorded in a commit's `commitInfo`, or nil when it holds none (not a tail commit).
    public init?(commitInfo: [String: JSONValue]) {
        guard case .object(let object)? = commitInfo[Self.key] else { return nil }
        func offsets(_ name: String) -> [String: Int64] {
            guard case .object(let values)? = object[name] else { return [:] }
            var result: [String: Int64] = [:]
            for (key, value) in values {
                if case .int(let n) = value { result[key] = n } else if case .double(let d) = value, let n = Int64(exactly: d) { result[key] = n }
            }
            return result
        }
        func count(_ name: String) -> Int64 {
            if case .int(let n)? = object[name] { return n }
            return 0
        }
        positions = offsets("positions")
        joinFrom = offsets("joinFrom")
        watermarks = offsets("watermarks").mapValues { Timestamp(microsecondsSinceEpoch: $0) }
        counts.records = count("records")
        counts.labelsJoined = count("labelsJoined")
        counts.lostRecords = count("lostRecords")
        counts.corruptBatches = count("corruptBatches")
        counts.unmatchedLabels = count("unmatchedLabels")
        counts.duplicateLabels = count("duplicateLabels")
        counts.rows = count("rows")
        counts.quarantinedRecords = count("quarantinedRecords")
        counts.outOfRangeValues = count("outOfRangeValues")
        counts.sharedLabelsNotHeld = count("sharedLabelsNotHeld")
        if case .object(let values)? = object["waitingLabels"] {
            for (endpoint, value) in values {
                guard case .object(let waiting) = value else { continue }
                var carried = LabelJoin.Carried()
                if case .int(let n)? = waiting["own"] { carried.own = max(0, n) }
                if case .int(let n)? = waiting["shared"] { carried.shared = max(0, n) }
                waitingLabels[endpoint] = carried
            }
        }
        if case .object(let values)? = object["schemas"] {
            for (key, value) in values { if case .string(let hex) = value { schemas[key] = hex } }
        }
    }
}
