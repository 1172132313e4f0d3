import ArgumentParser
import DeltaTable
import DriftlineCore
import DriftlineStore
import Foundation
import Profiles

/// `driftline query`: prints merged profiles per window.
struct QueryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "query",
        abstract: "Print merged profiles (count, missing, mean, std, quantiles, top categories) per window.",
        discussion: """
            Merges every partial row of each (endpoint, model version, window, column) of
            <store>/profiles whose window starts in [--from, --to). Times are ISO-8601 or
            epoch seconds (UTC).

            Exit status 1 when something was left out: a damaged data file (its endpoint's
            profiles are not printed), or a damaged newest commit (the profiles are those of
            the version before it); each is named on stderr with its remedy, after the
            profiles that could be read.

            Examples:
              driftline query --store ./store --endpoint iris --column petal_width
              driftline query --store ./store --from 2026-11-23T10:00:00Z \\
                --to 2026-11-23T11:00:00Z
              driftline query --store ./store --json | jq 'select(.column == ":pred1")'
            """
    )

    @Option(name: .customLong("store"), help: ArgumentHelp("The store folder.", valueName: "dir"))
    var storeDirectory: String

    @Option(help: "Only this endpoint.")
    var endpoint: String?

    @Option(help: "Windows starting at or after this time.")
    var from: String?

    @Option(help: "Windows starting before this time.")
    var to: String?

    @Option(help: "Only this column (repeat for several).")
    var column: [String] = []

    @Flag(help: "One JSON object per profile and line.")
    var json = false

    func validate() throws {
        guard FileManager.default.fileExists(atPath: storeDirectory + "/profiles/_delta_log") else {
            throw ValidationError("--store \(storeDirectory): no profiles table (run driftline tail first)")
        }
        if let endpoint, let known = KnownEndpoints.inStore(storeDirectory), !known.contains(endpoint) {
            throw ValidationError(KnownEndpoints.problem(endpoint, known: known, in: "\(storeDirectory)/profiles", remedy: "run driftline tail first"))
        }
        for (flag, value) in [("--from", from), ("--to", to)] {
            if let value, Timestamp(parsing: value.trimmingSpaces) == nil {
                throw ValidationError("\(flag) \(value): not a time; give ISO-8601 (2026-11-23T10:00:00Z) or epoch seconds")
            }
        }
    }

    func run() throws {
        func bound(_ text: String?) -> Timestamp? {
            text.flatMap { Timestamp(parsing: $0.trimmingSpaces) }
        }
        var damaged: [DamagedDataFile] = []
        let table = try Store(root: storeDirectory).profiles()
        let profiles = try table.merged(endpoint: endpoint, from: bound(from), to: bound(to), damaged: &damaged)
        // A damaged newest commit was read around (the profiles as of the version before it): named last, exit 1.
        let skipped = table.skippedCommits
        defer {
            for skip in skipped {
                FileHandle.standardError.write(Data("driftline query: \(skip)\n".utf8))
            }
            // Printed last, so that a damaged file of one endpoint never hides the others' profiles.
            for file in damaged {
                FileHandle.standardError.write(Data("driftline query: \(file.endpoint): left out: \(file.detail)\n".utf8))
            }
        }
        let wanted = Set(column)
        for profile in profiles where wanted.isEmpty || wanted.contains(profile.key.columnName) {
            print(json ? ProfileText.json(profile) : ProfileText.line(profile))
        }
        if profiles.isEmpty {
            FileHandle.standardError.write(Data("no profiles in \(storeDirectory)/profiles\(from.map { " from \($0)" } ?? "")\(to.map { " to \($0)" } ?? ""); widen --from/--to, or run driftline tail\n".utf8))
        }
        let present = Set(profiles.map(\.key.columnName))
        let absent = column.filter { !present.contains($0) }
        if !profiles.isEmpty, !absent.isEmpty {
            throw CommandFailure("--column \(absent.joined(separator: ", ")): no profiles of that column in the range "
                + "(columns: \(present.sorted().joined(separator: ", "))); check the name")
        }
        if !damaged.isEmpty {
            FileHandle.standardError.write(Data("driftline query: \(damaged.count) damaged data file(s) left out (endpoints \(Set(damaged.map(\.endpoint)).sorted().joined(separator: ", "))); the other profiles above are complete\n".utf8))
            throw ExitCode(1)
        }
        if !skipped.isEmpty {
            FileHandle.standardError.write(Data("driftline query: the newest profiles commit is damaged: the profiles above are those of version \(skipped.map { String($0.version - 1) }.joined(separator: ", ")), without the rows it added\n".utf8))
            throw ExitCode(1)
        }
    }
}

/// How `query` prints one merged profile.
enum ProfileText {
    static let ranks = [0.05, 0.25, 0.5, 0.75, 0.95]

    struct Numbers {
        var mean: Double?
        var std: Double?
        var min: Double?
        var max: Double?
        var quantiles: [Double?] = []
    }

    static func numbers(_ profile: MergedProfile) -> Numbers? {
        guard let numeric = profile.profile.numeric else { return nil }
        let m = numeric.moments
        return Numbers(mean: m.count > 0 ? m.mean : nil, std: m.count > 1 ? (m.m2 / Double(m.count - 1)).squareRoot() : nil,
                       min: m.min, max: m.max, quantiles: numeric.sketch.quantiles(ranks))
    }

    static func top(_ profile: MergedProfile, _ n: Int) -> [(value: String, count: Int64)] {
        guard let counts = profile.profile.categorical else { return [] }
        var ordered = counts.sortedCounts()
        if counts.otherCount > 0 { ordered.append((CategoryCounts.otherCategory, counts.otherCount)) }
        return Array(ordered.prefix(n))
    }

    static func format(_ x: Double?) -> String {
        guard let x else { return "-" }
        return String(format: "%.6g", x)
    }

    static func line(_ profile: MergedProfile) -> String {
        let key = profile.key
        var text = "\(key.endpoint) v\(key.modelVersion) \(Timestamp(microsecondsSinceEpoch: key.windowStartMicroseconds).iso8601) "
            + "\(key.columnName) count \(profile.profile.count) missing \(profile.profile.missingCount)"
        if let n = numbers(profile) {
            text += " mean \(format(n.mean)) std \(format(n.std)) min \(format(n.min))"
            for (rank, q) in zip(ranks, n.quantiles) { text += " p\(Int((rank * 100).rounded())) \(format(q))" }
            text += " max \(format(n.max))"
        } else {
            text += " top " + top(profile, 5).map { "\($0.value)=\($0.count)" }.joined(separator: " ")
        }
        return text
    }

    static func json(_ profile: MergedProfile) -> String {
        let key = profile.key
        var object: [String: JSONValue] = [
            "endpoint": .string(key.endpoint), "model_version": .string(key.modelVersion),
            "window_start": .string(Timestamp(microsecondsSinceEpoch: key.windowStartMicroseconds).iso8601),
            "window_end": .string(Timestamp(microsecondsSinceEpoch: key.windowEndMicroseconds).iso8601),
            "column": .string(key.columnName), "kind": .string(profile.profile.kind.rawValue),
            "count": .int(profile.profile.count), "missing": .int(profile.profile.missingCount), "partial_rows": .int(Int64(profile.partialRows)),
        ]
        if let n = numbers(profile) {
            object["mean"] = .optional(n.mean)
            object["std"] = .optional(n.std)
            object["min"] = .optional(n.min)
            object["max"] = .optional(n.max)
            for (rank, q) in zip(ranks, n.quantiles) { object[String(format: "p%02d", Int((rank * 100).rounded()))] = .optional(q) }
            if let histogram = profile.histogram {
                object["histogram"] = .array(histogram.map { .int($0) })
                object["reference_id"] = .optional(profile.referenceID)
            }
        } else {
            object["categories"] = .object(Dictionary(top(profile, 256).map { ($0.value, JSONValue.int($0.count)) }) { a, b in
                if case let (.int(x), .int(y)) = (a, b) { return .int(x &+ y) }
                return a
            })
        }
        // Members sorted by name, no whitespace, a non-finite number as `null` (as `inspect --json`).
        return JSONValue.object(object).text(RecordText.lineFormat)
    }
}
