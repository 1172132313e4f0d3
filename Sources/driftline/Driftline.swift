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
    /// the path and says what to do, not as an `NSCocoaErrorDomain` dump.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asynchronous = command as? AsyncParsableCommand {
                try await asynchronous.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: CommandFailure.readable(error) ?? error)
        }
    }
}
