import ArgumentParser
import BatchStage
import DeltaTable
import DriftlineCore
import DriftlineStore
import Foundation

/// `driftline status`: the store's overview in the terminal, or one window's drift table.
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show every model's status over its last 48 analysed windows, or why one window drifted.",
        discussion: """
            Reads the drift and performance tables written by `driftline batch` (the same
            overview as <store>/reports/index.html). One line per endpoint and model
            version, one character per analysed hour or day, oldest left:
              .  no drift    ?  possible drift    !  drift detected    _  insufficient data
            then the latest window's requests, accuracy, estimated accuracy and worst features.

            With --endpoint and --hour, prints that window's drift table: every column
            against each baseline with its status, PSI, chi-square p, KS, means and the
            bins that moved most.

            Examples:
              driftline status --store ./store
              driftline status --store ./store --endpoint iris --hour 2026-11-23T14:00:00Z
            """
    )

    @Option(name: .customLong("store"), help: ArgumentHelp("The store folder.", valueName: "dir"))
    var storeDirectory: String

    @Option(help: "Only this endpoint.")
    var endpoint: String?

    @Option(help: ArgumentHelp("Print the drift and data-quality tables of the window containing this time (ISO-8601 or epoch seconds); needs --endpoint.", valueName: "time"))
    var hour: String?

    func validate() throws {
        guard FileManager.default.fileExists(atPath: storeDirectory) else {
            throw ValidationError("--store \(storeDirectory): no such folder")
        }
        if hour != nil, endpoint == nil {
            throw ValidationError("--hour needs --endpoint: say which endpoint's window to show")
        }
        if let hour, Timestamp(parsing: hour.trimmingSpaces) == nil {
            throw ValidationError("--hour \(hour): not a time; give ISO-8601 (2026-11-23T14:00:00Z) or epoch seconds")
        }
    }

    func run() throws {
        let store = Store(root: storeDirectory)
        if let hour, let endpoint, let instant = Timestamp(parsing: hour.trimmingSpaces) {
            print(try windowText(store: store, endpoint: endpoint, at: instant.microsecondsSinceEpoch), terminator: "")
            return
        }
        do {
            print(try StoreOverview.load(store: store, endpoint: endpoint).text(), terminator: "")
        } catch {
            throw CommandFailure("\(error)")
        }
    }

    /// The drift rows of the window of `endpoint` that contains `instant`, every model version.
    func windowText(store: Store, endpoint: String, at instant: Int64) throws -> String {
        guard FileManager.default.fileExists(atPath: store.driftPath + "/_delta_log") else {
            throw CommandFailure("no drift table in \(storeDirectory): run driftline batch first")
        }
        let rows: [DriftRow]
        do {
            // A window holding `instant` starts at most a day before it.
            rows = try store.drift().rows(endpoint: endpoint, from: Timestamp(microsecondsSinceEpoch: instant.saturatingSubtract(86_400_000_000)),
                                          to: Timestamp(microsecondsSinceEpoch: instant.saturatingAdd(1)))
                .filter { $0.windowStartMicroseconds <= instant && instant < $0.windowEndMicroseconds }
        } catch {
            throw CommandFailure("\(error)")
        }
        guard !rows.isEmpty else {
            throw CommandFailure("endpoint \(endpoint) has no analysed window containing \(hour ?? ""): see `driftline status --store \(storeDirectory)` for the analysed ones")
        }
        // The window's data-quality checks, when batch wrote any (a store from before the quality table has none).
        var quality: [QualityRow] = []
        if FileManager.default.fileExists(atPath: store.qualityPath + "/_delta_log") {
            do {
                quality = try store.quality().rows(endpoint: endpoint, from: Timestamp(microsecondsSinceEpoch: instant.saturatingSubtract(86_400_000_000)),
                                                   to: Timestamp(microsecondsSinceEpoch: instant.saturatingAdd(1)))
                    .filter { $0.windowStartMicroseconds <= instant && instant < $0.windowEndMicroseconds }
            } catch {
                throw CommandFailure("\(error)")
            }
        }
        return DriftTableText.render(rows, quality: quality, reportsPath: store.reportsPath)
    }
}
