import ArgumentParser

/// The `driftline` command: one subcommand per stage; each parses, calls a module, prints.
@main
struct DriftlineCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "driftline",
        abstract: "Monitor machine-learning models in production: log inferences, profile them, detect drift.",
        subcommands: [SimulateCommand.self, IngestCommand.self, InspectCommand.self, TailCommand.self, CompactCommand.self, QueryCommand.self,
                      ProfileCommand.self, BatchCommand.self, DemoCommand.self]
    )
}
