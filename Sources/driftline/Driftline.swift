import ArgumentParser
import Foundation

/// The `driftline` command: one subcommand per stage; each parses, calls a module, prints.
@main
struct DriftlineCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "driftline",
        abstract: "Monitor machine-learning models in production: log inferences, profile them, detect drift.",
        discussion: """
            Serving code logs every inference with the Driftline library (import
            Driftline) into a log folder; `tail` profiles the log into a store of Delta
            tables; `profile` turns the training set into the reference; `batch`, hourly,
            computes drift and accuracy and writes reports.

            Examples:
              driftline demo
              driftline profile --store ./store --endpoint iris --model-version 1 \\
                --csv pipelines/demo/iris-train.csv \\
                --features sepal_length,sepal_width,petal_length,petal_width \\
                --classes setosa,versicolor,virginica \\
                --proba-columns good_setosa,good_versicolor,good_virginica \\
                --label-column species
              driftline tail --log /var/lib/driftline/log \\
                --store /var/lib/driftline/store
              driftline batch --store /var/lib/driftline/store
            """,
        subcommands: [SimulateCommand.self, IngestCommand.self, CollectCommand.self, InspectCommand.self, TailCommand.self, CompactCommand.self, QueryCommand.self,
                      ProfileCommand.self, BatchCommand.self, StatusCommand.self, DemoCommand.self]
    )

    /// ArgumentParser's `main`, except that Foundation's file errors are printed as a sentence that names
    /// the path and says what to do, not as an `NSCocoaErrorDomain` dump; that a message says `Error:` once
    /// (a wrapped message's own `error:` prefix is dropped); and that a usage error found while a subcommand
    /// runs shows that subcommand's usage, not the list of all subcommands.
    static func main() async {
        let parsed: any ParsableCommand
        do { parsed = try parseAsRoot() } catch { exit(withError: error) }
        var command = parsed
        do {
            if var asynchronous = command as? AsyncParsableCommand {
                try await asynchronous.run()
            } else {
                try command.run()
            }
        } catch {
            fail(CommandFailure.readable(error) ?? error, in: type(of: parsed))
        }
    }

    /// Prints `error` once, with `subcommand`'s usage when it is a usage error, and exits.
    static func fail(_ error: any Error, in subcommand: any ParsableCommand.Type) -> Never {
        switch error {
        case let problem as ValidationError:
            let name = subcommand.configuration.commandName.map { "driftline \($0)" } ?? "driftline"
            let usage = ObjectIdentifier(subcommand) == ObjectIdentifier(DriftlineCommand.self) ? usageString() : usageString(for: subcommand)
            FileHandle.standardError.write(Data("Error: \(withoutPrefix(problem.message))\nUsage: \(usage)\n  See '\(name) --help' for more information.\n".utf8))
            Foundation.exit(ExitCode.validationFailure.rawValue)
        case let failure as CommandFailure:
            exit(withError: CommandFailure(withoutPrefix(failure.description)))
        default:
            let text = String(describing: error)
            if !(error is ExitCode), text.lowercased().hasPrefix("error:") { exit(withError: CommandFailure(withoutPrefix(text))) }
            exit(withError: error)
        }
    }

    /// `message` without leading `error:` prefixes (the printer adds its own `Error: `).
    static func withoutPrefix(_ message: String) -> String {
        var text = Substring(message)
        while text.lowercased().hasPrefix("error:") { text = text.dropFirst(6).drop { $0 == " " } }
        return String(text)
    }
}
