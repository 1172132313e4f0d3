import ArgumentParser
import BatchStage
import Foundation

/// `driftline batch`'s Anodot options besides `--anodot FILE`: the names the metrics carry and the push
/// to Anodot's metrics API.
struct AnodotOptions: ParsableArguments {
    @Option(name: .customLong("anodot-format"),
            help: ArgumentHelp("Names of the Anodot metrics: anodot20 (Driftline's drift and performance) or mlwatcher (MLWatcher's agent's per-bucket statistics, see docs/operations.md).",
                               valueName: "format"))
    var formatName = AnodotMetrics.Format.anodot20.rawValue

    @Option(name: .customLong("anodot-url"),
            help: ArgumentHelp("Push the metrics to Anodot's metrics API at this base URL (e.g. https://api.anodot.com), 1,000 points per request, retried on 5xx and connection errors. When the push fails the --anodot file is written anyway and batch exits 5 (the analysis is stored).",
                               valueName: "url"))
    var url: String?

    @Option(name: .customLong("anodot-token-file"),
            help: ArgumentHelp("File holding the Anodot data-collection token for --anodot-url (never give the token on the command line).", valueName: "file"))
    var tokenFile: String?

    var format: AnodotMetrics.Format { AnodotMetrics.Format(rawValue: formatName) ?? .anodot20 }

    func validate() throws {
        typealias Problem = ArgumentParser.ValidationError
        guard AnodotMetrics.Format(rawValue: formatName) != nil else {
            throw Problem("--anodot-format \(formatName): unknown; give one of \(AnodotMetrics.Format.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        switch (url, tokenFile) {
        case (nil, nil): return
        case (_?, nil): throw Problem("--anodot-url needs --anodot-token-file: a file holding the data-collection token")
        case (nil, let file?): throw Problem("--anodot-token-file \(file): give --anodot-url too (where to push), or drop it")
        case (let url?, let file?):
            do { _ = try AnodotPush(url: url, token: "placeholder") } catch { throw Problem("\(error)") }
            guard FileManager.default.isReadableFile(atPath: file) else {
                throw Problem("--anodot-token-file \(file): no such readable file; write the data-collection token into it (chmod 600)")
            }
        }
    }

    /// The token in `tokenFile`, surrounding whitespace removed.
    func token() throws -> String {
        guard let tokenFile else { return "" }
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: tokenFile)) } catch {
            throw CommandFailure("--anodot-token-file \(tokenFile): cannot read it (\(CommandFailure.readable(error)?.description ?? "\(type(of: error))")); check the path and its permissions")
        }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
