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
        let (first, last, explicit) = options.range()
        let profiles = try storeCall { () throws(StoreError) in try store.profiles() }
        var damagedProfiles: [DamagedDataFile] = []
        var rows = try storeCall { () throws(StoreError) in
            try profiles.rows(endpoint: options.endpoint, from: DeltaTimestamp(microseconds: first.previous.startMicroseconds),
                              to: DeltaTimestamp(microseconds: last.endMicroseconds), damaged: &damagedProfiles)
        }
        if options.shard.count > 1 { rows.removeAll { !options.shard.contains($0.endpoint) } }
        // An endpoint with a damaged profiles file is not analysed this run (its hours would lack that
        // file's rows); the others are. It is analysed again once the file is readable.
        let skipped = Set(damagedProfiles.map(\.endpoint))
        if !skipped.isEmpty {
            rows.removeAll { skipped.contains($0.endpoint) }
            for file in damagedProfiles {
                outcome.failures.append("endpoint \(file.endpoint) is not analysed: \(file.detail)")
            }
        }
        progress("read \(rows.count) profile rows for \(first.label)…\(last.label)")
        var references = ReferenceCache(store: store)
        for row in rows { try references.load(endpoint: row.endpoint, modelVersion: row.modelVersion) }
        outcome.warnings += references.warnings
        var hourly = HourlyProfiles()
        try hourly.add(rows) { references.bins(endpoint: $0, modelVersion: $1) }
        let hours = hourly.hourProfiles { references.bins(endpoint: $0, modelVersion: $1) }

        // The batch writes drift and performance: a damaged newest commit of either is moved aside (and
        // the hours it held are analysed again, as they lack performance rows then).
        var repaired: [DamagedCommit] = []
        let performanceTable = try storeCall { () throws(StoreError) in try store.performance(repairing: { repaired.append($0) }) }
        let driftTable = try storeCall { () throws(StoreError) in try store.drift(repairing: { repaired.append($0) }) }
        outcome.warnings += repaired.map(\.description)
        var analysed = Set<HourlyProfiles.Key>()
        // Damaged drift or performance files in the range: named, and their hours analysed again, which
        // replaces them.
        var damagedResults: [DamagedDataFile] = []
        let analysedRows = try storeCall({ () throws(StoreError) in
            try performanceTable.rows(endpoint: options.endpoint, from: DeltaTimestamp(microseconds: first.startMicroseconds),
                                      to: DeltaTimestamp(microseconds: last.endMicroseconds), damaged: &damagedResults)
        })
        _ = try storeCall({ () throws(StoreError) in
            try driftTable.rows(endpoint: options.endpoint, from: DeltaTimestamp(microseconds: first.startMicroseconds),
                                to: DeltaTimestamp(microseconds: last.endMicroseconds), damaged: &damagedResults)
        })
        if !explicit {
            for row in analysedRows where row.windowStartMicroseconds < last.startMicroseconds {
                analysed.insert(.init(endpoint: row.endpoint, modelVersion: row.modelVersion, hour: AnalysisHour(containing: row.windowStartMicroseconds)))
            }
        }
        var redo = Set<String>()
        for file in damagedResults {
            let hoursText: String
            if let range = file.windowStarts {
                let from = AnalysisHour(containing: range.lowerBound.microseconds), to = AnalysisHour(containing: range.upperBound.microseconds)
                analysed = analysed.filter { $0.endpoint != file.endpoint || $0.hour < from || $0.hour > to }
                hoursText = from == to ? from.label : "\(from.label)…\(to.label)"
            } else {
                redo.insert(file.endpoint)
                hoursText = "all hours in the range"
            }
            outcome.warnings.append("\(file.detail); hours \(hoursText) of \(file.endpoint) are analysed again, which replaces the file "
                + "(hours without profiles keep it: run `driftline batch --from …` over them once their profiles are back)")
        }
        analysed = analysed.filter { !redo.contains($0.endpoint) }
        let todo = hours.keys.filter { key in
            key.hour >= first && key.hour <= last && (explicit || key.hour == last || !analysed.contains(key))
        }.sorted()
        if todo.isEmpty {
            progress("no profiles to analyse in \(first.isoStart) … \(last.next.isoStart)\(options.endpoint.map { " for endpoint \($0)" } ?? "")")
            return outcome
        }
        // The model-hours are independent: analysed on all cores, collected in `todo` order.
        let settings = todo.map { options.config.settings(for: $0.endpoint) }
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
                outcome.failures.append(BatchError.analysis(endpoint: key.endpoint, hour: key.hour.label, detail: error.description).description)
            }
        }
        do {
            try writeTables(outcome.analyses, drift: driftTable, performance: performanceTable)
        } catch {
            throw .store(detail: "the run is incomplete: \(error); the hours whose drift and performance were not both "
                + "replaced are analysed again by the next run (`driftline batch` with the same range)")
        }
        progress("replaced drift and performance rows of \(outcome.analyses.count) model-hours")
        outcome.files += try writeReports(outcome.analyses, performance: performanceTable)
        if let path = options.anodotPath {
            do { try writeOutput(try AnodotMetrics.jsonData(AnodotMetrics.metrics(of: outcome.analyses)), to: path) } catch let error as BatchError {
                throw error
            } catch {
                throw .output(path: path, detail: "cannot encode the metrics: \(error)")
            }
            outcome.files.append(path)
        }
        if let path = options.promTextfilePath {
            try writeOutput(Data(PrometheusTextfile.text(of: outcome.analyses).utf8), to: path)
            outcome.files.append(path)
        }
        return outcome
    }

    /// One replace commit per table, endpoint and run of consecutive analysed hours (all model versions).
    func writeTables(_ analyses: [HourAnalysis], drift: DriftTable, performance: PerformanceTable) throws(BatchError) {
        let byEndpoint = Dictionary(grouping: analyses, by: \.endpoint)
        for endpoint in byEndpoint.keys.sorted() {
            let items = byEndpoint[endpoint] ?? []
            let hours = Set(items.map(\.hour)).sorted()
            var runStart = 0
            while runStart < hours.count {
                var runEnd = runStart + 1
                while runEnd < hours.count && hours[runEnd] == hours[runEnd - 1].next { runEnd += 1 }
                let range = DeltaTimestamp(microseconds: hours[runStart].startMicroseconds)..<DeltaTimestamp(microseconds: hours[runEnd - 1].endMicroseconds)
                let inRun = items.filter { $0.hour >= hours[runStart] && $0.hour <= hours[runEnd - 1] }
                _ = try storeCall { () throws(StoreError) in try drift.replace(endpoint: endpoint, windowStarts: range, with: inRun.flatMap(\.driftRows)) }
                _ = try storeCall { () throws(StoreError) in try performance.replace(endpoint: endpoint, windowStarts: range, with: inRun.map(\.performanceRow)) }
                runStart = runEnd
            }
        }
    }

    /// `<store>/reports/<endpoint>/<YYYY-MM-DDTHH>.html|json` (`…THH.v<version>.…` when several versions share the hour).
    func writeReports(_ analyses: [HourAnalysis], performance: PerformanceTable) throws(BatchError) -> [String] {
        guard let earliest = analyses.map(\.hour).min(), let latest = analyses.map(\.hour).max() else { return [] }
        let from = earliest.startMicroseconds - 23 * AnalysisHour.lengthMicroseconds
        var damaged: [DamagedDataFile] = []   // already named when they lie in the run's range; older ones only leave gaps in the trend
        let stored = try storeCall { () throws(StoreError) in
            try performance.rows(endpoint: options.endpoint, from: DeltaTimestamp(microseconds: from),
                                 to: DeltaTimestamp(microseconds: latest.endMicroseconds), damaged: &damaged)
        }
        let trends = Dictionary(grouping: stored) { $0.endpoint + "\u{0}" + $0.modelVersion }
        let versionsPerHour = Dictionary(grouping: analyses) { "\($0.endpoint)\u{0}\($0.hour.startMicroseconds)" }
        let trendPoints = trends.mapValues { $0.map(HourReport.TrendPoint.init(row:)) }
        var folders: [String: String] = [:]
        for analysis in analyses where folders[analysis.endpoint] == nil {
            folders[analysis.endpoint] = try storeCall { () throws(StoreError) in try store.reportsDirectory(endpoint: analysis.endpoint) }
        }
        let stems = analyses.map { analysis in
            let shared = (versionsPerHour["\(analysis.endpoint)\u{0}\(analysis.hour.startMicroseconds)"]?.count ?? 1) > 1
            return (folders[analysis.endpoint] ?? "") + "/" + analysis.hour.label + (shared ? ".v" + analysis.modelVersion : "")
        }
        // Each report is rendered and written on its own (all cores); the first error in `analyses` order is thrown.
        let written = Parallel.map(analyses.count) { index -> Result<Void, BatchError> in
            let analysis = analyses[index], stem = stems[index]
            return Result { () throws(BatchError) in
                let report = HourReport(analysis: analysis, trend: trendPoints[analysis.endpoint + "\u{0}" + analysis.modelVersion] ?? [])
                let json: Data
                json = report.jsonData()
                try writeOutput(json, to: stem + ".json")
                try writeOutput(Data(report.html().utf8), to: stem + ".html")
            }
        }
        var files: [String] = []
        for (stem, result) in zip(stems, written) {
            try result.get()
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

    init(store: Store) { self.store = store }

    mutating func load(endpoint: String, modelVersion: String) throws(BatchError) {
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
            throw .reference(path: path, detail: error.description)
        } catch {
            throw .reference(path: path, detail: "\(error)")
        }
    }

    func baseline(endpoint: String, modelVersion: String) -> ReferenceBaseline? {
        loaded[endpoint + "\u{0}" + modelVersion]??.1
    }

    func bins(endpoint: String, modelVersion: String) -> [String: ReferenceBins] {
        baseline(endpoint: endpoint, modelVersion: modelVersion)?.bins ?? [:]
    }
}
