import DriftlineCore
import DeltaTable
import DriftlineStore
import Foundation
import Parquet
import Profiles

/// One run of the batch stage over a store: picks the hours, merges their profiles, analyses them
/// against the reference and the previous hour, replaces their `drift` and `performance` rows, and
/// writes the reports and exporter files.
///
/// ```swift
/// let outcome = try BatchRun(store: Store(root: "./store"), options: BatchOptions()).run { print($0) }
/// outcome.worstStatus      // .driftDetected → `--fail-on-drift` exits 3
/// ```
public struct BatchRun: Sendable {
    public let store: Store
    public let options: BatchOptions

    public init(store: Store, options: BatchOptions) {
        self.store = store
        self.options = options
    }

    /// Runs under the store's batch lock (of its shard, with ``BatchOptions/shard``); throws `.busy` when
    /// another batch holds it.
    public func run(progress: (String) -> Void = { _ in }) throws(BatchError) -> BatchOutcome {
        let lock: StoreLock
        do {
            lock = try store.batchLock(shard: options.shard.index, of: options.shard.count,
                                       command: options.shard.count > 1 ? "driftline batch --shard \(options.shard)" : "driftline batch")
        } catch {
            if case let .lockHeld(_, _, holder) = error { throw .busy(holder: holder?.description ?? "holder unknown") }
            throw .store(detail: error.description)
        }
        defer { lock.release() }
        return try runLocked(progress: progress)
    }

    func runLocked(progress: (String) -> Void) throws(BatchError) -> BatchOutcome {
        var outcome = BatchOutcome()
        guard FileManager.default.fileExists(atPath: store.profilesPath + "/_delta_log") else {
            throw .store(detail: "no profiles table at \(store.profilesPath): check --store, and that `driftline tail --store \(store.root)` has committed")
        }
        let profiles = try storeCall { () throws(StoreError) in try store.profiles() }
        // The version first, then the rows: rows committed in between are seen now and again next run (harmless).
        // The readable version: a damaged newest commit is read around (and reported below as a failure), so the
        // run records the version before it and the next run reads the rows that version is written again with.
        let profilesVersion = try storeCall { () throws(StoreError) in
            try profiles.latestVersion() == nil ? -1 : try profiles.readableVersion()
        }
        outcome.profilesVersion = profilesVersion
        // The batch writes drift and performance: a damaged newest commit of either is moved aside (the windows
        // it held are found damaged or missing below and analysed again).
        var repaired: [DamagedCommit] = []
        let performanceTable = try storeCall { () throws(StoreError) in try store.performance(repairing: { repaired.append($0) }) }
        let driftTable = try storeCall { () throws(StoreError) in try store.drift(repairing: { repaired.append($0) }) }
        let qualityTable = try storeCall { () throws(StoreError) in try store.quality(repairing: { repaired.append($0) }) }
        outcome.warnings += repaired.map(\.description)
        let endpoints = try storeCall { () throws(StoreError) in try profiles.endpoints() }.filter { (options.endpoint == nil || $0 == options.endpoint) && options.shard.contains($0) }
        var references = ReferenceCache(store: store)
        var planner = BatchPlanner(options: options, endpoints: endpoints)
        var state: BatchState?
        if !options.explicit {
            let recordKey = BatchState.key(for: options.shard)
            state = try storeCall { () throws(StoreError) in try performanceTable.latestCommitInfo(withKey: recordKey) }
                .flatMap { BatchState(commitInfo: $0, key: recordKey) }
            try planChanges(state: state, profiles: profiles, profilesVersion: profilesVersion, planner: &planner, progress: progress)
            try planReanalysis(state: state, performance: performanceTable, references: &references, planner: &planner)
        }
        try planDamagedResults(performance: performanceTable, drift: driftTable, quality: qualityTable, planner: &planner, outcome: &outcome)

        // Read each endpoint's rows over its candidate windows, their previous windows and the next ones.
        var hourly = HourlyProfiles()
        var readRows = 0
        // One read over the union of the endpoints' ranges (one snapshot), each endpoint keeping its own range.
        let ranges = Dictionary(uniqueKeysWithValues: endpoints.compactMap { endpoint in planner.readRange(endpoint: endpoint).map { (endpoint, $0) } })
        // An endpoint whose profiles cannot be read or merged (a damaged file) fails alone: its windows are
        // reported and retried by the next run, the other endpoints are analysed.
        var endpointProblems: [String: String] = [:]
        if let lower = ranges.values.map(\.lowerBound).min(), let upper = ranges.values.map(\.upperBound).max() {
            var all: [ProfileRow] = []
            do {
                all = try profiles.rows(endpoint: ranges.count == 1 ? ranges.keys.first : options.endpoint,
                                        from: Timestamp(microsecondsSinceEpoch: lower), to: Timestamp(microsecondsSinceEpoch: upper))
            } catch {
                for (endpoint, range) in ranges.sorted(by: { $0.key < $1.key }) {
                    do {
                        all += try profiles.rows(endpoint: endpoint, from: Timestamp(microsecondsSinceEpoch: range.lowerBound),
                                                 to: Timestamp(microsecondsSinceEpoch: range.upperBound))
                    } catch {
                        endpointProblems[endpoint] = error.description
                    }
                }
            }
            let rows = all.filter { ranges[$0.endpoint]?.contains($0.windowStartMicroseconds) ?? false }
            readRows = rows.count
            let byEndpoint = Dictionary(grouping: rows, by: \.endpoint)
            for endpoint in byEndpoint.keys.sorted() where endpointProblems[endpoint] == nil {
                let mine = byEndpoint[endpoint] ?? []
                for row in mine { references.load(endpoint: row.endpoint, modelVersion: row.modelVersion) }
                do {
                    try hourly.add(mine, window: { planner.window($0, $1) }) { references.bins(endpoint: $0, modelVersion: $1) }
                } catch {
                    endpointProblems[endpoint] = error.description
                }
            }
        }
        outcome.warnings += references.warnings
        for skip in profiles.skippedCommits {
            // Its rows (of endpoints unknown: the file cannot be read) are not analysed: the run is incomplete.
            outcome.failures.append("profiles: \(skip); the windows it holds are not analysed now, and the next batch analyses them once it is written again")
        }
        let hours = hourly.hourProfiles { references.bins(endpoint: $0, modelVersion: $1) }
        planner.complete(with: Set(hours.keys))
        outcome.leftAlone = planner.leftAlone
        progress("read \(readRows) profile rows (profiles version \(profilesVersion))")
        var failedKeys: [HourlyProfiles.Key] = []
        var wildcards: [BatchState.Failed] = []
        for (endpoint, problem) in endpointProblems.sorted(by: { $0.key < $1.key }) {
            let keys = planner.plan.keys.filter { $0.endpoint == endpoint }.sorted()
            failedKeys += keys
            if let range = ranges[endpoint] {
                // The windows it would have found too: retried from the start of the range read.
                wildcards.append(.init(endpoint: endpoint, modelVersion: "*", startMicroseconds: range.lowerBound,
                                       length: options.settings(for: endpoint).granularity.lengthMicroseconds))
            }
            outcome.failures.append("endpoint \(endpoint): its profiles cannot be read: \(problem); \(keys.count) planned windows of it "
                + "are not analysed (the other endpoints are); repair or restore the file named, and the next batch retries them")
            outcome.failedWindows[endpoint, default: 0] += max(1, keys.count)
        }
        let todo = planner.plan.keys.sorted().filter { key in
            guard hours[key] != nil, endpointProblems[key.endpoint] == nil else { return false }
            if let problem = references.problem(endpoint: key.endpoint, modelVersion: key.modelVersion) {
                failedKeys.append(key)
                outcome.failures.append("\(key.endpoint) v\(key.modelVersion) \(key.hour.label): not analysed: \(problem); the next batch retries it")
                outcome.failedWindows[key.endpoint, default: 0] += 1
                return false
            }
            return true
        }
        outcome.plan = todo.map { PlannedWindow(endpoint: $0.endpoint, modelVersion: $0.modelVersion, window: $0.hour,
                                                reasons: (planner.plan[$0] ?? []).sorted()) }
        if !todo.isEmpty {
            // The model-hours are independent: analysed on all cores, collected in `todo` order.
            let settings = todo.map { options.settings(for: $0.endpoint) }
            let baselines = todo.map { references.baseline(endpoint: $0.endpoint, modelVersion: $0.modelVersion) }
            let results = Parallel.map(todo.count) { index -> Result<HourAnalysis, ProfileError>? in
                let key = todo[index]
                guard let hour = hours[key] else { return nil }
                let previous = hours[.init(endpoint: key.endpoint, modelVersion: key.modelVersion, hour: key.hour.previous)]
                return Result { () throws(ProfileError) in
                    try HourAnalysis(hour: hour, previous: previous, reference: baselines[index], settings: settings[index])
                }
            }
            for (index, key) in todo.enumerated() {
                progress("[\(index + 1)/\(todo.count)] \(key.endpoint) v\(key.modelVersion) \(key.hour.label)")
                switch results[index] {
                case nil: continue
                case .success(let analysis)?: outcome.analyses.append(analysis)
                case .failure(let error)?:
                    failedKeys.append(key)
                    outcome.failedWindows[key.endpoint, default: 0] += 1
                    outcome.failures.append(BatchError.analysis(endpoint: key.endpoint, hour: key.hour.label, detail: error.description).description)
                }
            }
            do {
                try writeTables(outcome.analyses, drift: driftTable, quality: qualityTable, performance: performanceTable,
                                commitInfo: analysisInfo(profilesVersion: profilesVersion, references: references))
            } catch {
                // No run record is written: the next run finds the same changes and analyses these windows again.
                throw .store(detail: "the run is incomplete: \(error); the windows whose drift, quality and performance were not all "
                    + "replaced are analysed again by the next run (`driftline batch` with the same range)")
            }
            progress("replaced drift, quality and performance rows of \(outcome.analyses.count) model windows")
            outcome.files += try writeReports(outcome.analyses, performance: performanceTable)
        }
        if let path = options.anodotPath, !outcome.analyses.isEmpty {
            try writeOutput(AnodotMetrics.jsonData(AnodotMetrics.metrics(of: outcome.analyses)), to: path)
            outcome.files.append(path)
        }
        var promTextfile: (path: String, data: Data)?
        if let path = options.promTextfilePath {
            // A run that records itself (below) succeeds as of its "now"; an explicit or one-endpoint run shows the last
            // recorded run of its shard (from the table, so the same store gives the same bytes).
            let recordKey = BatchState.key(for: options.shard)
            let recorded = options.explicit ? try storeCall { () throws(StoreError) in try performanceTable.latestCommitInfo(withKey: recordKey) }
                .flatMap { BatchState(commitInfo: $0, key: recordKey) } : state
            let successMicroseconds = !options.explicit && options.endpoint == nil ? options.nowMicroseconds : recorded?.nowMicroseconds
            let lastSuccess = successMicroseconds.map {
                PrometheusTextfile.LastSuccess(shard: options.shard.description, seconds: $0 / 1_000_000)
            }
            // Built here (it loads the references the run record lists) but written only once the run is recorded
            // below: a run whose record fails must not leave a textfile whose last-success gauge says it succeeded.
            promTextfile = (path, Data(try textfile(performance: performanceTable, drift: driftTable, quality: qualityTable,
                                                    failures: outcome.failedWindows, endpoints: endpoints, references: &references,
                                                    lastSuccess: lastSuccess,
                                                    unreadableProfilesCommits: (options.shard.description, profiles.skippedCommits.count)).utf8))
        }
        if !options.explicit && options.endpoint == nil {
            // Recorded once every table and file but the textfile is written: a run that dies before leaves the
            // old record, and the next run redoes its work. The textfile follows the record (a textfile that
            // cannot be written then fails the run, and the next run writes it again from the tables).
            var recorded = state?.references ?? [:]
            for (model, id) in references.referenceIDs { recorded[model] = id }
            let next = BatchState(
                profilesVersion: profilesVersion, nowMicroseconds: options.nowMicroseconds,
                settings: Dictionary(uniqueKeysWithValues: endpoints.map { ($0, options.settings(for: $0).fingerprint) }),
                references: recorded,
                failed: failedKeys.map { .init(endpoint: $0.endpoint, modelVersion: $0.modelVersion,
                                               startMicroseconds: $0.hour.startMicroseconds, length: $0.hour.length) } + wildcards)
            _ = try storeCall { () throws(StoreError) in
                try performanceTable.mark(commitInfo: ["operation": .string("DRIFTLINE BATCH"), BatchState.key(for: options.shard): next.json])
            }
        }
        if let promTextfile {
            try writeOutput(promTextfile.data, to: promTextfile.path)
            outcome.files.append(promTextfile.path)
        }
        return outcome
    }

    /// Windows with profile rows added since the recorded run (from the `profiles` log), windows completed
    /// since, and the failed ones; with no record, every window of the lookback.
    func planChanges(state: BatchState?, profiles: ProfilesTable, profilesVersion: Int64, planner: inout BatchPlanner,
                     progress: (String) -> Void) throws(BatchError) {
        guard let state else {
            progress("no record of an earlier run: analysing every window of the lookback")
            planner.addNewWindows(since: options.nowMicroseconds - options.lookbackMicroseconds, reason: .new)
            return
        }
        planner.addNewWindows(since: state.nowMicroseconds, reason: .new)
        guard let changes = try storeCall({ () throws(StoreError) in try profiles.changes(after: state.profilesVersion, through: profilesVersion) }) else {
            progress("the profiles log no longer holds every commit since version \(state.profilesVersion): analysing every window of the lookback")
            planner.addNewWindows(since: options.nowMicroseconds - options.lookbackMicroseconds, reason: .lateRows)
            return
        }
        for endpoint in changes.unreadable.keys.sorted() {
            // A file added since cannot be read: the endpoint's whole lookback is read (and fails, named, until repaired).
            planner.addNewWindows(since: options.nowMicroseconds - options.lookbackMicroseconds, reason: .lateRows, only: endpoint)
        }
        for change in changes.rows {
            let window = planner.window(change.endpoint, change.windowStartMicroseconds)
            let reason: AnalysisReason = window.endMicroseconds > state.nowMicroseconds ? .new
                : (Self.labelColumns.contains(change.columnName) ? .labels : .lateRows)
            planner.add(.init(endpoint: change.endpoint, modelVersion: change.modelVersion, hour: window), reason: reason)
        }
        for failed in state.failed where failed.modelVersion == "*" {
            planner.addNewWindows(since: failed.startMicroseconds, reason: .retry, only: failed.endpoint)
        }
        for failed in state.failed where failed.modelVersion != "*" {
            planner.add(.init(endpoint: failed.endpoint, modelVersion: failed.modelVersion,
                              hour: AnalysisHour(containing: failed.startMicroseconds, length: failed.length)), reason: .retry)
        }
    }

    /// The columns a label join adds to a window (no record arrives with them).
    static let labelColumns: Set<String> = [DerivedColumns.label, DerivedColumns.confusion, DerivedColumns.residual, DerivedColumns.absoluteResidual]

    /// Windows analysed before whose model's reference or endpoint's settings changed since the recorded run.
    /// A replaced reference re-analyses every window of its model version, however old: a reference is the
    /// baseline of the whole version, and a table judging one version against two references would not equal
    /// a full re-analysis. Changed settings re-analyse the lookback's windows; older ones are listed as left
    /// alone. The analysed windows are read only when something changed.
    func planReanalysis(state: BatchState?, performance: PerformanceTable, references: inout ReferenceCache,
                        planner: inout BatchPlanner) throws(BatchError) {
        // Damaged data files are named and planned by `planDamagedResults`; here they only leave gaps.
        var ignoredDamage: [DamagedDataFile] = []
        guard let state else { return }
        let edge = options.nowMicroseconds - options.lookbackMicroseconds
        // Cheap first: the recorded models' references and endpoints' settings; the analysed windows are read only on a change.
        var anyChange = false
        for endpoint in planner.endpoints where state.settings[endpoint].map({ $0 != options.settings(for: endpoint).fingerprint }) ?? false {
            anyChange = true
        }
        for (model, old) in state.references where !anyChange {
            let parts = model.split(separator: "/", maxSplits: 1).map(String.init)
            guard parts.count == 2, planner.endpoints.contains(parts[0]) else { continue }
            references.load(endpoint: parts[0], modelVersion: parts[1])
            if references.referenceIDs[model] != old { anyChange = true }
        }
        guard anyChange else { return }
        let recent = try storeCall { () throws(StoreError) in
            try performance.rows(endpoint: options.endpoint, from: Timestamp(microsecondsSinceEpoch: edge - AnalysisHour.dayMicroseconds),
                                 to: Timestamp(microsecondsSinceEpoch: options.nowMicroseconds), damaged: &ignoredDamage)
        }
        var changedModels: [String: AnalysisReason] = [:]   // "endpoint/version" → reason
        var changedEndpoints = Set<String>()
        for row in recent where planner.endpoints.contains(row.endpoint) {
            let model = BatchState.modelKey(row.endpoint, row.modelVersion)
            if let old = state.settings[row.endpoint], old != options.settings(for: row.endpoint).fingerprint {
                changedEndpoints.insert(row.endpoint)
            }
            references.load(endpoint: row.endpoint, modelVersion: row.modelVersion)
            if let old = state.references[model], old != references.referenceIDs[model] { changedModels[model] = .reference }
        }
        guard !changedModels.isEmpty || !changedEndpoints.isEmpty else { return }
        // New settings (a new granularity above all): every window of the lookback with profiles, as the settings cut it.
        for endpoint in changedEndpoints.sorted() { planner.addNewWindows(since: edge, reason: .config, only: endpoint) }
        var rows = recent
        for endpoint in Set(changedEndpoints).union(changedModels.keys.compactMap { $0.split(separator: "/").first.map(String.init) }).sorted() {
            rows += try storeCall { () throws(StoreError) in
                try performance.rows(endpoint: endpoint, from: nil, to: Timestamp(microsecondsSinceEpoch: edge - AnalysisHour.dayMicroseconds),
                                     damaged: &ignoredDamage)
            }
        }
        for row in rows where planner.endpoints.contains(row.endpoint) {
            let key = HourlyProfiles.Key(endpoint: row.endpoint, modelVersion: row.modelVersion,
                                         hour: planner.window(row.endpoint, row.windowStartMicroseconds))
            if changedEndpoints.contains(row.endpoint) { planner.add(key, reason: .config) }
            if changedModels[BatchState.modelKey(row.endpoint, row.modelVersion)] != nil { planner.add(key, reason: .reference, wholeHistory: true) }
        }
    }

    /// Damaged `drift` or `performance` data files of the lookback (or of `--from/--to`) are named, and the windows
    /// they hold analysed again, which replaces them (an unknown range: every window of that endpoint in range).
    func planDamagedResults(performance: PerformanceTable, drift: DriftTable, quality: QualityTable? = nil, planner: inout BatchPlanner,
                            outcome: inout BatchOutcome) throws(BatchError) {
        let lower = options.explicit ? (options.fromMicroseconds ?? Int64.min / 4) : options.nowMicroseconds - options.lookbackMicroseconds
        let upper = options.explicit ? min(options.toMicroseconds ?? options.nowMicroseconds, options.nowMicroseconds) : options.nowMicroseconds
        guard lower < upper else { return }
        var damaged: [DamagedDataFile] = []
        _ = try storeCall { () throws(StoreError) in
            try performance.rows(endpoint: options.endpoint, from: Timestamp(microsecondsSinceEpoch: lower), to: Timestamp(microsecondsSinceEpoch: upper),
                                 damaged: &damaged)
        }
        _ = try storeCall { () throws(StoreError) in
            try drift.rows(endpoint: options.endpoint, from: Timestamp(microsecondsSinceEpoch: lower), to: Timestamp(microsecondsSinceEpoch: upper),
                           damaged: &damaged)
        }
        if let quality {
            _ = try storeCall { () throws(StoreError) in
                try quality.rows(endpoint: options.endpoint, from: Timestamp(microsecondsSinceEpoch: lower), to: Timestamp(microsecondsSinceEpoch: upper),
                                 damaged: &damaged)
            }
        }
        for file in damaged where planner.endpoints.contains(file.endpoint) {
            let since = file.windowStarts.map { max($0.lowerBound.microsecondsSinceEpoch, lower) } ?? lower
            planner.addNewWindows(since: since, reason: .retry, only: file.endpoint)
            outcome.warnings.append("\(file.detail); the windows of \(file.endpoint) it holds are analysed again, which replaces the file")
        }
    }

    /// What an analysis commit read: the `profiles` version, the references and each endpoint's settings.
    func analysisInfo(profilesVersion: Int64, references: ReferenceCache) -> [String: JSONValue] {
        ["driftline.analysis": .object([
            "profilesVersion": .int(profilesVersion),
            "references": .object(references.referenceIDs.mapValues { .string($0) }),
            "now": .int(options.nowMicroseconds),
        ])]
    }

    /// The textfile of the latest analysed window of each model in the lookback before the run's end,
    /// from the tables (so a run that re-analysed only old windows still shows the latest).
    func textfile(performance: PerformanceTable, drift: DriftTable, quality: QualityTable? = nil, failures: [String: Int] = [:],
                  endpoints: [String] = [], references: inout ReferenceCache,
                  lastSuccess: PrometheusTextfile.LastSuccess?,
                  unreadableProfilesCommits: (shard: String, count: Int)? = nil) throws(BatchError) -> String {
        // Damaged data files are named and planned by `planDamagedResults`; here they only leave gaps.
        var ignoredDamage: [DamagedDataFile] = []
        let upper = min(options.toMicroseconds ?? options.nowMicroseconds, options.nowMicroseconds)
        let lower = upper - max(options.lookbackMicroseconds, AnalysisHour.dayMicroseconds) - AnalysisHour.dayMicroseconds
        let rows = try storeCall { () throws(StoreError) in
            try performance.rows(endpoint: options.endpoint, from: Timestamp(microsecondsSinceEpoch: lower), to: Timestamp(microsecondsSinceEpoch: upper),
                                 damaged: &ignoredDamage)
        }
        var latest: [String: PerformanceRow] = [:]
        // A shard's textfile holds its own endpoints only (each shard writes its own file; no series twice).
        for row in rows where row.windowEndMicroseconds <= upper && options.shard.contains(row.endpoint) {
            let key = row.endpoint + "\u{0}" + row.modelVersion
            if let existing = latest[key], existing.windowStartMicroseconds >= row.windowStartMicroseconds { continue }
            latest[key] = row
        }
        var driftRows: [DriftRow] = []
        for row in latest.values {
            driftRows += try storeCall { () throws(StoreError) in
                try drift.rows(endpoint: row.endpoint, from: Timestamp(microsecondsSinceEpoch: row.windowStartMicroseconds),
                               to: Timestamp(microsecondsSinceEpoch: row.windowStartMicroseconds + 1), damaged: &ignoredDamage)
            }.filter { $0.modelVersion == row.modelVersion }
        }
        var qualityRows: [QualityRow] = []
        if let quality {
            for row in latest.values {
                qualityRows += try storeCall { () throws(StoreError) in
                    try quality.rows(endpoint: row.endpoint, from: Timestamp(microsecondsSinceEpoch: row.windowStartMicroseconds),
                                     to: Timestamp(microsecondsSinceEpoch: row.windowStartMicroseconds + 1), damaged: &ignoredDamage)
                }.filter { $0.modelVersion == row.modelVersion }
            }
        }
        var referenceAccuracy: [String: Double] = [:]
        for (key, row) in latest {
            references.load(endpoint: row.endpoint, modelVersion: row.modelVersion)
            referenceAccuracy[key] = references.baseline(endpoint: row.endpoint, modelVersion: row.modelVersion)?.accuracy
        }
        return PrometheusTextfile.text(performance: Array(latest.values), drift: driftRows,
                                       failures: Dictionary(uniqueKeysWithValues: endpoints.map { ($0, failures[$0] ?? 0) }),
                                       referenceAccuracy: referenceAccuracy, lastSuccess: lastSuccess,
                                       unreadableProfilesCommits: unreadableProfilesCommits)
            + PrometheusTextfile.qualityText(quality: qualityRows, performance: Array(latest.values)) { options.settings(for: $0).quality }
    }

    /// One replace commit per table, endpoint and run of consecutive analysed hours (all model versions).
    func writeTables(_ analyses: [HourAnalysis], drift: DriftTable, quality: QualityTable? = nil, performance: PerformanceTable,
                     commitInfo: [String: JSONValue] = [:]) throws(BatchError) {
        let byEndpoint = Dictionary(grouping: analyses, by: \.endpoint)
        for endpoint in byEndpoint.keys.sorted() {
            let items = byEndpoint[endpoint] ?? []
            let hours = Set(items.map(\.hour)).sorted()
            var runStart = 0
            while runStart < hours.count {
                var runEnd = runStart + 1
                while runEnd < hours.count && hours[runEnd] == hours[runEnd - 1].next { runEnd += 1 }
                let range = Timestamp(microsecondsSinceEpoch: hours[runStart].startMicroseconds)
                    ..< Timestamp(microsecondsSinceEpoch: hours[runEnd - 1].endMicroseconds)
                let inRun = items.filter { $0.hour >= hours[runStart] && $0.hour <= hours[runEnd - 1] }
                _ = try storeCall { () throws(StoreError) in try drift.replace(endpoint: endpoint, windowStarts: range, with: inRun.flatMap(\.driftRows), commitInfo: commitInfo) }
                if let quality {
                    _ = try storeCall { () throws(StoreError) in
                        try quality.replace(endpoint: endpoint, windowStarts: range, with: inRun.flatMap(\.qualityRows), commitInfo: commitInfo)
                    }
                }
                _ = try storeCall { () throws(StoreError) in try performance.replace(endpoint: endpoint, windowStarts: range, with: inRun.map(\.performance), commitInfo: commitInfo) }
                runStart = runEnd
            }
        }
    }

    /// `<store>/reports/<endpoint>/<YYYY-MM-DDTHH>.html|json` (`<YYYY-MM-DD>` for day windows; `….v<version>.…`
    /// when several model versions share the window in the performance table).
    ///
    /// A report's trend shows the 23 windows before it, so the reports of the (up to 23) later windows of a
    /// re-analysed one are re-rendered from their own JSON with the trend read again: the reports then equal
    /// those of one run over the whole range, without analysing those windows again.
    func writeReports(_ analyses: [HourAnalysis], performance: PerformanceTable) throws(BatchError) -> [String] {
        // Damaged data files are named and planned by `planDamagedResults`; here they only leave gaps.
        var ignoredDamage: [DamagedDataFile] = []
        guard !analyses.isEmpty else { return [] }
        let from = analyses.map { $0.hour.startMicroseconds - 23 * $0.hour.length }.min() ?? 0
        let to = min(options.nowMicroseconds, (analyses.map { $0.hour.endMicroseconds + 23 * $0.hour.length }.max() ?? 0))
        let stored = try storeCall { () throws(StoreError) in
            try performance.rows(endpoint: options.endpoint, from: Timestamp(microsecondsSinceEpoch: from),
                                 to: Timestamp(microsecondsSinceEpoch: max(from + 1, to)), damaged: &ignoredDamage)
        }
        let trends = Dictionary(grouping: stored) { $0.endpoint + "\u{0}" + $0.modelVersion }
        let versionsPerWindow = Dictionary(grouping: stored) { "\($0.endpoint)\u{0}\($0.windowStartMicroseconds)" }
        let trendPoints = trends.mapValues { $0.map(HourReport.TrendPoint.init(row:)) }
        var folders: [String: String] = [:]
        for endpoint in Set(analyses.map(\.endpoint)) {
            folders[endpoint] = try storeCall { () throws(StoreError) in try store.reportsDirectory(endpoint: endpoint) }
        }
        func stem(endpoint: String, modelVersion: String, window: AnalysisHour) -> String {
            let shared = (versionsPerWindow["\(endpoint)\u{0}\(window.startMicroseconds)"]?.count ?? 1) > 1
            return (folders[endpoint] ?? "") + "/" + window.label + (shared ? ".v" + modelVersion : "")
        }
        let stems = analyses.map { stem(endpoint: $0.endpoint, modelVersion: $0.modelVersion, window: $0.hour) }
        // Later reports whose trend holds a re-analysed window (and that were not re-analysed themselves).
        let analysedKeys = Set(analyses.map { "\($0.endpoint)\u{0}\($0.modelVersion)\u{0}\($0.hour.startMicroseconds)" })
        var laterStems: [String] = []
        var seen = Set<String>()
        for analysis in analyses {
            var window = analysis.hour.next
            for _ in 0..<23 {
                defer { window = window.next }
                guard window.endMicroseconds <= options.nowMicroseconds else { break }
                let key = "\(analysis.endpoint)\u{0}\(analysis.modelVersion)\u{0}\(window.startMicroseconds)"
                guard !analysedKeys.contains(key), seen.insert(key).inserted,
                      versionsPerWindow["\(analysis.endpoint)\u{0}\(window.startMicroseconds)"]?.contains(where: { $0.modelVersion == analysis.modelVersion }) == true
                else { continue }
                laterStems.append(stem(endpoint: analysis.endpoint, modelVersion: analysis.modelVersion, window: window))
            }
        }
        // Each report is rendered and written on its own (all cores); the first error in order is thrown.
        let written = Parallel.map(analyses.count + laterStems.count) { index -> Result<Bool, BatchError> in
            Result { () throws(BatchError) in
                if index < analyses.count {
                    let analysis = analyses[index]
                    let report = HourReport(analysis: analysis, trend: trendPoints[analysis.endpoint + "\u{0}" + analysis.modelVersion] ?? [])
                    try writeOutput(report.jsonData(), to: stems[index] + ".json")
                    try writeOutput(Data(report.html().utf8), to: stems[index] + ".html")
                    return true
                }
                let path = laterStems[index - analyses.count]
                guard let data = FileManager.default.contents(atPath: path + ".json"), var report = try? HourReport.decode(data) else {
                    return false   // no report yet (or not readable): nothing to refresh
                }
                let refreshed = report.withTrend(trendPoints[report.endpoint + "\u{0}" + report.modelVersion] ?? [])
                guard refreshed.trend != report.trend else { return false }
                report = refreshed
                try writeOutput(report.jsonData(), to: path + ".json")
                try writeOutput(Data(report.html().utf8), to: path + ".html")
                return true
            }
        }
        var files: [String] = []
        let allStems = stems + laterStems
        for (stem, result) in zip(allStems, written) where try result.get() {
            files += [stem + ".html", stem + ".json"]
        }
        return files
    }
}

/// Runs a store call, turning its error into `BatchError.store`.
func storeCall<T>(_ body: () throws(StoreError) -> T) throws(BatchError) -> T {
    do { return try body() } catch { throw .store(detail: error.description) }
}

/// The references of the models met in a run, loaded once each.
struct ReferenceCache {
    let store: Store
    private var loaded: [String: (Reference, ReferenceBaseline)?] = [:]
    private(set) var warnings: [String] = []
    /// Models whose reference file exists but cannot be read, with the error.
    private var broken: [String: String] = [:]

    init(store: Store) { self.store = store }

    mutating func load(endpoint: String, modelVersion: String) {
        let key = endpoint + "\u{0}" + modelVersion
        guard loaded[key] == nil else { return }
        let path = (try? store.referencePath(endpoint: endpoint, modelVersion: modelVersion)) ?? "\(store.referencesPath)/\(endpoint)/\(modelVersion).json"
        do {
            if let reference = try Reference.load(store: store, endpoint: endpoint, modelVersion: modelVersion) {
                loaded[key] = .some((reference, try ReferenceBaseline(reference: reference)))
            } else {
                loaded[key] = .some(nil)
                warnings.append("no reference for \(endpoint) v\(modelVersion) (\(path)): compared with the previous hour only; create one with `driftline profile`")
            }
        } catch let error as StoreError {
            loaded[key] = .some(nil)
            broken[key] = error.description
        } catch {
            loaded[key] = .some(nil)
            broken[key] = BatchError.reference(path: path, detail: "\(error)").description
        }
    }

    /// Why a model's reference could not be read (its windows fail; the other models are analysed).
    func problem(endpoint: String, modelVersion: String) -> String? { broken[endpoint + "\u{0}" + modelVersion] }

    /// `endpoint/model version` → the id of its reference ("" when it has none), for every model loaded.
    var referenceIDs: [String: String] {
        var out: [String: String] = [:]
        for (key, value) in loaded where broken[key] == nil {
            let parts = key.split(separator: "\u{0}", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2 else { continue }
            out[BatchState.modelKey(String(parts[0]), String(parts[1]))] = value?.0.referenceID ?? ""
        }
        return out
    }

    func baseline(endpoint: String, modelVersion: String) -> ReferenceBaseline? {
        loaded[endpoint + "\u{0}" + modelVersion]??.1
    }

    func bins(endpoint: String, modelVersion: String) -> [String: ReferenceBins] {
        baseline(endpoint: endpoint, modelVersion: modelVersion)?.bins ?? [:]
    }
}
