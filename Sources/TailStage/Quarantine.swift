import DriftlineCore
import DeltaTable

/// Records the tail read but refused, by endpoint, since the last commit: what was refused, how many, and
/// the first reason in words (with the offending value), for the commit's `commitInfo`, `/metrics` and the
/// tail's log.
///
/// A record is quarantined when its event time lies outside `EventTimeRange` (it is neither profiled nor
/// allowed to move a watermark, window or label-join horizon), when its model's names break DriftlineCore's
/// `NameRules` (a reserved column name, a model version such as `_canary` or `a/b`), or when its model
/// version was first seen with another schema (a schema is immutable: a change needs a new version).
/// Quarantined records are skipped, never retried: the cause is fixed by the writer, and the next records
/// flow again.
struct Quarantine: Sendable, Equatable {
    /// Why a record was refused (the `reason` label of `driftline_tail_quarantined_records_total`).
    enum Reason: String, Sendable, CaseIterable {
        case eventTime = "event_time"
        case names = "names"
        case schemaChanged = "schema_changed"
    }

    struct Entry: Sendable, Equatable {
        var records: Int64 = 0
        /// The first reason seen, with its value.
        var detail: String = ""
    }

    /// By endpoint.
    private(set) var entries: [String: Entry] = [:]

    var isEmpty: Bool { entries.isEmpty }

    var total: Int64 { entries.values.reduce(0) { $0 + $1.records } }

    mutating func add(endpoint: String, records: Int64, detail: @autoclosure () -> String) {
        guard records > 0 else { return }
        var entry = entries[endpoint] ?? Entry()
        if entry.records == 0 { entry.detail = detail() }
        entry.records += records
        entries[endpoint] = entry
    }

    mutating func removeAll() { entries = [:] }

    /// `{"<endpoint>": {"records": n, "reason": "..."}}` for `commitInfo`.
    var commitInfoValue: JSONValue {
        .object(entries.mapValues { .object(["records": .int($0.records), "reason": .string($0.detail)]) })
    }

    /// One line per endpoint, for the tail's log.
    var lines: [String] {
        entries.keys.sorted().compactMap { endpoint in
            entries[endpoint].map { "quarantined \($0.records) records of endpoint \(endpoint): \($0.detail)" }
        }
    }
}
