import DriftlineCore
import DeltaTable

/// What a finished default (cron) batch run read, recorded in the `commitInfo` of a data-less commit of
/// the `performance` table (key `driftline.batch`). The next run compares the store with it to find the
/// windows whose inputs changed: profile rows added after `profilesVersion`, windows completed after
/// `nowMicroseconds`, a reference or an endpoint's settings that differ, windows that failed.
struct BatchState: Sendable, Equatable {
    static let key = "driftline.batch"

    /// The `profiles` version the run read (its rows are all analysed or left alone, said so).
    var profilesVersion: Int64
    /// The run's "now": windows that had ended by then were complete.
    var nowMicroseconds: Int64
    /// Endpoint → `AnalysisSettings.fingerprint` used.
    var settings: [String: String]
    /// `endpoint/model version` → reference id used ("" for none).
    var references: [String: String]
    /// Model windows that could not be analysed: retried by the next run.
    var failed: [Failed]

    struct Failed: Sendable, Hashable {
        var endpoint: String
        var modelVersion: String
        var startMicroseconds: Int64
        var length: Int64
    }

    static func modelKey(_ endpoint: String, _ modelVersion: String) -> String { endpoint + "/" + modelVersion }

    var json: JSONValue {
        .object([
            "profilesVersion": .int(profilesVersion),
            "now": .int(nowMicroseconds),
            "settings": .object(settings.mapValues { .string($0) }),
            "references": .object(references.mapValues { .string($0) }),
            "failed": .array(failed.map { failed in
                .object(["endpoint": .string(failed.endpoint), "modelVersion": .string(failed.modelVersion),
                         "start": .int(failed.startMicroseconds), "length": .int(failed.length)])
            }),
        ])
    }

    init(profilesVersion: Int64, nowMicroseconds: Int64, settings: [String: String], references: [String: String], failed: [Failed]) {
        self.profilesVersion = profilesVersion
        self.nowMicroseconds = nowMicroseconds
        self.settings = settings
        self.references = references
        self.failed = failed
    }

    /// The state in a `commitInfo`; nil when it has none or it is not readable (then everything in the lookback is analysed).
    /// The `commitInfo` key of the run record of `shard` (each shard of `--shard I/N` records its own runs:
    /// another shard's record says nothing about what this one has read).
    static func key(for shard: BatchShard) -> String {
        shard.count > 1 ? "\(key).shard-\(shard.index)-of-\(shard.count)" : key
    }

    init?(commitInfo: [String: JSONValue], key: String = Self.key) {
        guard case let .object(object)? = commitInfo[key], let version = object["profilesVersion"]?.int64,
              let now = object["now"]?.int64 else { return nil }
        profilesVersion = version
        nowMicroseconds = now
        func strings(_ name: String) -> [String: String] {
            guard case let .object(map)? = object[name] else { return [:] }
            return map.dictionary.compactMapValues { if case let .string(text) = $0 { return text } else { return nil } }
        }
        settings = strings("settings")
        references = strings("references")
        var failed: [Failed] = []
        if case let .array(items)? = object["failed"] {
            for case let .object(item) in items {
                guard case let .string(endpoint)? = item["endpoint"], case let .string(version)? = item["modelVersion"],
                      let start = item["start"]?.int64, let length = item["length"]?.int64, length > 0 else { continue }
                failed.append(Failed(endpoint: endpoint, modelVersion: version, startMicroseconds: start, length: length))
            }
        }
        self.failed = failed
    }
}

/// Why a batch run (re)analyses a model window.
public enum AnalysisReason: String, Sendable, Hashable, Comparable, CaseIterable {
    /// The window completed since the last run (or no run recorded what it read).
    case new = "new window"
    /// Profile rows of records arrived for it after it was analysed (late records, a tail catching up).
    case lateRows = "late rows"
    /// Labels joined with its predictions after it was analysed.
    case labels
    /// The window before it changed (its drift against the previous window does).
    case previousChanged = "previous window changed"
    /// Its model's reference was added or replaced.
    case reference
    /// The endpoint's settings in `--config` (or `--granularity`) changed.
    case config
    /// Its analysis failed in the last run.
    case retry = "failed before"
    /// Asked for with `--from/--to`.
    case requested = "requested"

    public static func < (a: AnalysisReason, b: AnalysisReason) -> Bool {
        (allCases.firstIndex(of: a) ?? 0) < (allCases.firstIndex(of: b) ?? 0)
    }
}
