import ArgumentParser
import BatchStage
import Foundation

extension BatchCommand {
    /// After the analysis is stored: `--anodot-format mlwatcher` rewrites the `--anodot` file with
    /// MLWatcher's names (the run writes Driftline's), and `--anodot-url` pushes the metrics. A failed push
    /// is a warning and exit code 5 (unless the run already failed with its own code): the tables, the reports and
    /// the `--anodot` file are there.
    func exportAnodot(_ outcome: BatchOutcome) throws {
        let options = anodotExport
        guard !outcome.analyses.isEmpty, anodot != nil || options.url != nil else { return }
        let metrics = AnodotMetrics.metrics(of: outcome.analyses, format: options.format)
        if let anodot, options.format != .anodot20 {
            do { try AnodotMetrics.write(metrics, to: anodot) } catch { throw CommandFailure("--anodot \(error)") }
        }
        guard let url = options.url else { return }
        let push: AnodotPush
        do { push = try AnodotPush(url: url, token: try options.token()) } catch let error as BatchError { throw CommandFailure("\(error)") }
        let report = push.send(metrics)
        func note(_ text: String) { FileHandle.standardError.write(Data("driftline batch: \(text)\n".utf8)) }
        if !report.rejectedInAcceptedBatches.isEmpty {
            note("warning: Anodot accepted the requests but listed \(report.rejectedInAcceptedBatches.count) error(s), first: "
                 + report.rejectedInAcceptedBatches.prefix(3).joined(separator: "; "))
        }
        let retries = report.retries == 0 ? "" : report.retries == 1 ? " (1 retry)" : " (\(report.retries) retries)"
        let requests = report.requests == 1 ? "1 request" : "\(report.requests) requests"
        guard let failure = report.failure else {
            print("anodot: pushed \(report.acceptedPoints) points to \(push.endpoint) in \(requests)\(retries)")
            return
        }
        let kept = anodot.map { "the metrics are in \($0)" } ?? "no --anodot file was given, so the metrics are not kept; add --anodot FILE"
        note("warning: the Anodot push failed: \(failure); \(report.acceptedPoints) of \(report.totalPoints) points were accepted"
             + " in \(requests)\(retries); \(kept); the analysis is stored (re-push with `driftline batch --from/--to` over these hours)")
        if outcome.failures.isEmpty { throw ExitCode(5) }
    }
}
