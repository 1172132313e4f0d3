import ArgumentParser
import DeltaTable
import DriftlineCore
import DriftlineStore
import Foundation
import PipelineFile

/// `driftline compact`: rewrites the partial profile rows of closed windows as one row per key.
struct CompactCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compact",
        abstract: "Rewrite the partial rows of closed windows in <store>/profiles as one row per profile.",
        discussion: """
            A window is closed when it ended more than --older-than ago. Each endpoint's
            closed rows are rewritten in one replace commit; nothing is lost (parts
            counted over different references stay apart). Safe while `driftline tail`
            runs: a commit that touches the same files makes the compaction start over.

            Then it vacuums the profiles table: data files that compaction replaced,
            and data files a killed writer left without committing them, are deleted
            once older than --vacuum-after (7 days by default; readers of table
            versions older than that may fail, as with Delta's VACUUM).

            Examples:
              driftline compact --store ./store --older-than 0s
              driftline compact --store /var/lib/driftline/store --older-than 2h
              driftline compact --store ./store --vacuum-after 1d
            """
    )

    @Option(name: .customLong("store"), help: ArgumentHelp("The store folder.", valueName: "dir"))
    var storeDirectory: String

    @Option(help: "Compact windows that ended at least this long ago (e.g. 2h, 30m, 0s for all).")
    var olderThan = "2h"

    @Option(help: "Only this endpoint (default: every endpoint).")
    var endpoint: String?

    @Option(help: "Delete replaced and uncommitted data files older than this (e.g. 7d, 1d, 12h).")
    var vacuumAfter = "7d"

    @Flag(help: "Do not vacuum.")
    var noVacuum = false

    func validate() throws {
        guard FileManager.default.fileExists(atPath: storeDirectory + "/profiles/_delta_log") else {
            throw ValidationError("--store \(storeDirectory): no profiles table (run driftline tail first)")
        }
        guard DurationText.parse(olderThan) != nil else {
            throw ValidationError("--older-than \(olderThan): not a duration (use e.g. 30m, 2h, 1d)")
        }
        guard let retention = DurationText.parse(vacuumAfter), retention >= .seconds(3600) else {
            throw ValidationError("--vacuum-after \(vacuumAfter): give a duration of at least 1h (e.g. 12h, 7d); a shorter one could delete a file a running tail is about to commit")
        }
    }

    func run() throws {
        let age = DurationText.parse(olderThan) ?? .seconds(7200)
        let cutoff = Timestamp.now().advanced(by: .zero - age)
        let profiles = try Store(root: storeDirectory).profiles()
        let result = try profiles.compact(olderThan: cutoff, endpoint: endpoint)
        // A damaged newest commit: read around (its rows were left out), and moved aside by the first replace
        // once 30 s old (the tail writes its version again); a younger one is reported below and left.
        for moved in result.movedAside { FileHandle.standardError.write(Data("driftline compact: \(moved)\n".utf8)) }
        let unmoved = profiles.skippedCommits.filter { skip in !result.movedAside.contains { $0.version == skip.version } }
        for skip in unmoved { FileHandle.standardError.write(Data("driftline compact: \(skip)\n".utf8)) }
        if !noVacuum {
            let retention = DurationText.parse(vacuumAfter) ?? .seconds(7 * 86_400)
            do {
                let deleted = try Store(root: storeDirectory).profiles().table.vacuum(retention: retention)
                print("vacuumed \(deleted.count) data files older than \(vacuumAfter) that no table version uses")
            } catch {
                print("vacuum failed (the compaction stands): \(error)")
            }
        }
        print("compacted \(result.rowsBefore) partial rows into \(result.rowsAfter) rows (\(result.filesRemoved) files removed, \(result.filesAdded) added, versions \(result.versions.map(String.init).joined(separator: ", ")); \(result.retries) retries)")
        guard result.damaged.isEmpty, unmoved.isEmpty else {
            for message in result.damaged { FileHandle.standardError.write(Data("driftline compact: \(message)\n".utf8)) }
            if !result.damaged.isEmpty {
                FileHandle.standardError.write(Data("driftline compact: \(result.damaged.count) endpoint(s) left uncompacted because of damaged files; the others are compacted\n".utf8))
            }
            throw ExitCode(1)
        }
    }
}
