import ArgumentParser
import BatchStage
import DriftlineCore
import DriftlineStore
import Foundation
import PipelineFile
import Profiles

/// `driftline batch`: the hourly analysis, meant for cron.
struct BatchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "batch",
        abstract: "Analyse hours of profiles: drift against the reference and the previous hour, accuracy, reports.",
        discussion: """
            Without --from/--to (the cron run) it analyses every complete window (UTC hour,
            or UTC day for endpoints at granularity day) whose inputs changed since the last
            run: a window completed since, profile rows added to it (late records, joined
            labels, a tail catching up; compaction is not a change), the window before it
            changed, its model's reference added or replaced, the endpoint's --config
            settings changed, or its analysis failed. It finds them in the Delta logs (what
            each run read is recorded in the performance table's commitInfo), not by
            re-reading the data. Windows that ended more than --lookback ago are left alone
            and listed. With --from/--to every complete window with profiles whose start
            lies in [--from, --to) is (re)analysed.
            Re-analysing a window replaces its rows of the drift and performance tables in
            one commit and rewrites its report; the textfile shows each model's latest window.
            Reports go to <store>/reports/<endpoint>/<YYYY-MM-DDTHH>.html and .json
            (<YYYY-MM-DD>.html for day windows).

            One batch runs at a time per store: a second one prints who holds the lock and
            exits 0. With --shard I/N, one per shard: N machines or cron jobs share a store,
            each analysing the endpoints whose FNV-1a name hash mod N is I (give each its
            own --prom-textfile and --anodot file). Do not mix sharded and unsharded runs.
            Exit codes: 0 success; 3 with --fail-on-drift when a model is in
            drift_detected; 4 when some windows could not be analysed (an unreadable
            reference or profile file, or a damaged newest profiles commit: named, the
            others written, retried next run);
            5 when the analysis is stored but the --anodot-url push failed (the --anodot
            file holds the metrics); 1 on an error that stops the run.

            Examples:
              driftline batch --store ./store
              # re-analyse a day
              driftline batch --store ./store --from 2026-11-20T00:00:00Z \\
                --to 2026-11-21T00:00:00Z
              # cron, every hour at minute 5
              5 * * * *  driftline batch --store /var/lib/driftline/store \\
                --config /etc/driftline/pipeline.yaml \\
                --prom-textfile /var/lib/node_exporter/textfile/driftline.prom
            """
    )

    @Option(help: ArgumentHelp("The store folder (written by `driftline tail`).", valueName: "dir"))
    var store: String

    @Option(help: ArgumentHelp("First hour to analyse (ISO-8601 or epoch seconds; rounded down to the hour).", valueName: "time"))
    var from: String?

    @Option(help: ArgumentHelp("Analyse hours that start before this time (ISO-8601 or epoch seconds).", valueName: "time"))
    var to: String?

    @Option(help: ArgumentHelp("How far back a cron run re-analyses changed windows (default 48h). It must cover tail's --join-horizon plus a day; older windows are left alone (re-analyse them with --from/--to).", valueName: "duration"))
    var lookback: String = "48h"

    @Option(help: ArgumentHelp("Analyse as if it were this time (ISO-8601 or epoch seconds; default: the clock). For tests and backfills.", valueName: "time"))
    var now: String?

    @Option(help: ArgumentHelp("Window length for every endpoint: hour or day (UTC); overrides the pipeline file's granularity.", valueName: "hour|day"))
    var granularity: String?

    @Option(help: "Only this endpoint.")
    var endpoint: String?

    @Option(help: ArgumentHelp("YAML pipeline file: thresholds and bins per endpoint (see pipelines/pipeline.example.yaml).", valueName: "file"))
    var config: String?

    @Flag(help: "Exit 3 when any analysed model is in drift_detected.")
    var failOnDrift = false

    @Option(help: ArgumentHelp("Also write the metrics as Anodot 2.0 JSON to this file.", valueName: "file"))
    var anodot: String?

    @OptionGroup(title: "Anodot")
    var anodotExport: AnodotOptions

    @Option(help: ArgumentHelp("Also write node_exporter textfile gauges to this file (atomically).", valueName: "file"))
    var promTextfile: String?

    @Option(help: ArgumentHelp(
        "Analyse only the endpoints of shard I of N (FNV-1a hash of the name mod N), under that shard's lock; N runs with 0/N … N-1/N together equal one unsharded run.",
        valueName: "I/N"))
    var shard: String?

    func validate() throws {
        typealias Problem = ArgumentParser.ValidationError
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: store, isDirectory: &isFolder), isFolder.boolValue else {
            throw Problem("--store \(store): no such folder; point it at the store `driftline tail --store` writes")
        }
        if let endpoint, FileManager.default.fileExists(atPath: store + "/profiles/_delta_log"),
           let known = KnownEndpoints.inStore(store), !known.contains(endpoint) {
            throw Problem(KnownEndpoints.problem(endpoint, known: known, in: "\(store)/profiles", remedy: "run driftline tail first"))
        }
        let start = try from.map { try Self.instant($0, flag: "--from") }
        let end = try to.map { try Self.instant($0, flag: "--to") }
        if let start, let end, AnalysisHour(containing: start).startMicroseconds >= end {
            throw Problem("--to \(to ?? ""): must be later than the hour of --from \(from ?? ""); give a later --to")
        }
        if let now { _ = try Self.instant(now, flag: "--now") }
        _ = try lookbackMicroseconds()
        if let granularity, Granularity(rawValue: granularity) == nil {
            throw Problem("--granularity \(granularity): give hour or day")
        }
        if let shard {
            do { _ = try BatchShard(parsing: shard) } catch { throw Problem("\(error)") }
        }
        if let config, !FileManager.default.isReadableFile(atPath: config) { throw Problem("--config \(config): no such readable file; check the path (an example: pipelines/pipeline.example.yaml)") }
        for (flag, path) in [("--anodot", anodot), ("--prom-textfile", promTextfile)] {
            guard let path else { continue }
            let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
            guard FileManager.default.isWritableFile(atPath: folder) else { throw Problem("\(flag) \(path): the folder \(folder) is not writable; create it, or choose a path you can write") }
        }
    }

    static func instant(_ text: String, flag: String) throws -> Int64 {
        guard let timestamp = Timestamp(parsing: text.trimmingSpaces) else {
            throw ArgumentParser.ValidationError("\(flag) \(text): not a time; give ISO-8601 (2026-11-20T03:00:00Z) or epoch seconds")
        }
        return timestamp.microsecondsSinceEpoch
    }

    func lookbackMicroseconds() throws -> Int64 {
        guard let duration = DurationText.parse(lookback), duration > .zero, duration <= .seconds(366 * 86_400) else {
            throw ArgumentParser.ValidationError("--lookback \(lookback): not a duration of up to a year; give e.g. 48h or 3d (it must cover the join horizon plus a day)")
        }
        let (seconds, attoseconds) = duration.components
        return seconds * 1_000_000 + attoseconds / 1_000_000_000_000
    }

    func run() throws {
        let interactive = isatty(STDERR_FILENO) == 1
        func note(_ text: String) { FileHandle.standardError.write(Data("\(text)\n".utf8)) }
        let outcome: BatchOutcome
        do {
            let settings = try config.map { path throws(BatchError) in try EndpointSettings(contentsOf: path) } ?? EndpointSettings()
            var options = BatchOptions(
                from: try from.map { AnalysisHour(containing: try Self.instant($0, flag: "--from")) },
                toMicroseconds: try to.map { try Self.instant($0, flag: "--to") },
                endpoint: endpoint, settings: settings, anodotPath: anodot, promTextfilePath: promTextfile,
                nowMicroseconds: try now.map { try Self.instant($0, flag: "--now") } ?? Timestamp.now().microsecondsSinceEpoch,
                lookbackMicroseconds: try lookbackMicroseconds(), granularity: granularity.flatMap(Granularity.init(rawValue:)))
            if let shard { options.shard = try BatchShard(parsing: shard) }
            outcome = try BatchRun(store: Store(root: store), options: options).run { if interactive { note("batch: \($0)") } }
            try StoreOverview.writeIndex(store: Store(root: store))
        } catch let error as BatchError {
            if case .busy = error {
                note("driftline batch: \(error)")
                return
            }
            throw CommandFailure("\(error)")
        }
        for warning in outcome.warnings { note("driftline batch: warning: \(warning)") }
        var why: [String: [AnalysisReason]] = [:]
        for planned in outcome.plan { why["\(planned.endpoint)\u{0}\(planned.modelVersion)\u{0}\(planned.window.startMicroseconds)"] = planned.reasons }
        for analysis in outcome.analyses {
            let detected = analysis.drift.filter { $0.baseline == (analysis.referenceID == nil ? .previous : .reference) && $0.status == .driftDetected }
                .map(\.columnName)
            let accuracy = analysis.performance.accuracy.map { String(format: " accuracy %.3f", $0) } ?? ""
            let reasons = why["\(analysis.endpoint)\u{0}\(analysis.modelVersion)\u{0}\(analysis.hour.startMicroseconds)"] ?? []
            print("\(analysis.endpoint) v\(analysis.modelVersion) \(analysis.hour.label) [\(reasons.map(\.rawValue).joined(separator: ", "))]: "
                  + analysis.performance.driftStatus
                  + (detected.isEmpty ? "" : " (\(detected.joined(separator: ", ")))") + accuracy + " requests \(analysis.performance.requests)")
        }
        // Left alone: one line per model and reasons (there may be many windows).
        let groups = Dictionary(grouping: outcome.leftAlone) { "\($0.endpoint)\u{0}\($0.modelVersion)\u{0}\($0.reasons.map(\.rawValue))" }
        for key in groups.keys.sorted() {
            guard let windows = groups[key]?.sorted(by: { $0.window < $1.window }), let first = windows.first, let last = windows.last else { continue }
            let span = windows.count == 1 ? first.window.label : "\(windows.count) windows \(first.window.label) … \(last.window.label)"
            print("left alone: \(first.endpoint) v\(first.modelVersion) \(span) [\(first.reasons.map(\.rawValue).joined(separator: ", "))] "
                  + "ended before the lookback (\(lookback)); re-analyse with --from \(first.window.isoStart) --to \(last.window.next.isoStart)")
        }
        var counts: [AnalysisReason: Int] = [:]
        for planned in outcome.plan { for reason in planned.reasons { counts[reason, default: 0] += 1 } }
        let tally = counts.keys.sorted().map { "\($0.rawValue) \(counts[$0] ?? 0)" }.joined(separator: ", ")
        if outcome.plan.isEmpty {
            print(from == nil && to == nil ? "nothing changed since the last run: 0 model windows analysed (profiles version \(outcome.profilesVersion))"
                                           : "nothing to analyse: no profiles in the range")
        } else {
            print("analysed \(outcome.plan.count) model windows (\(tally)); profiles version \(outcome.profilesVersion)")
        }
        for failure in outcome.failures { note("driftline batch: \(failure)") }
        try exportAnodot(outcome)
        if !outcome.failures.isEmpty { throw ExitCode(4) }
        if failOnDrift, outcome.worstStatus == .driftDetected { throw ExitCode(3) }
    }
}
