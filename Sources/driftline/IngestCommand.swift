import ArgumentParser
import CSV
import Driftline
import DriftlineLog
import Foundation

/// `driftline ingest`: appends CSV rows to the log through `InferenceLogger` (backfills, tests, batch scoring).
struct IngestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Append inference records (or, with --labels, delayed labels) from a CSV file to the log.",
        discussion: """
            The CSV has a header row; fields may be quoted, lines may end in CRLF. An
            empty cell is a missing value (NaN) in a numeric feature, a missing category
            in a categorical one, and "no label" in the label column. Timestamps are
            ISO-8601 or epoch seconds; without --timestamp-column, now. A bad row is
            reported with its line and column and skipped; the rest is ingested, and the
            exit code is 2 when any row was rejected.

            Examples:
              # a classifier's scored rows (the demo's training data, from the repository)
              driftline ingest --log ./log --endpoint iris --model-version 1 \\
                --csv pipelines/demo/iris-train.csv \\
                --features sepal_length,sepal_width,petal_length,petal_width \\
                --classes setosa,versicolor,virginica \\
                --proba-columns good_setosa,good_versicolor,good_virginica \\
                --label-column species
              # with event time, request id and latency columns
              driftline ingest --log ./log --endpoint iris --model-version 3 \\
                --csv scored.csv --features sepal_length,sepal_width,region \\
                --categorical region --classes setosa,versicolor,virginica \\
                --proba-columns p_setosa,p_versicolor,p_virginica \\
                --timestamp-column ts --request-id-column id --latency-column ms
              # a regression
              driftline ingest --log ./log --endpoint price --model-version 1 \\
                --csv scored.csv --features rooms,city --categorical city \\
                --prediction-column predicted_price
              # delayed labels (the endpoint's schema is read from the log)
              driftline ingest --labels --log ./log --endpoint iris --csv labels.csv \\
                --request-id-column id --label-column species --timestamp-column ts
            """
    )

    @Option(name: .customLong("log"), help: ArgumentHelp("The log folder (created when missing).", valueName: "dir"))
    var logDirectory: String

    @Option(help: "The endpoint (the served model's name).")
    var endpoint: String

    @Option(help: "The model version recorded with every record (inference mode).")
    var modelVersion: String?

    @Option(help: ArgumentHelp("The CSV file.", valueName: "file"))
    var csv: String

    @Flag(help: "Append delayed labels (needs --request-id-column and --label-column) instead of inferences.")
    var labels = false

    @OptionGroup var mapping: ColumnMapping

    @Option(help: "The partition's writer id (default: <hostname>-<pid>).")
    var writerID: String?

    func validate() throws {
        typealias Problem = ArgumentParser.ValidationError
        guard FileManager.default.isReadableFile(atPath: csv) else { throw Problem("--csv \(csv): no such readable file; check the path") }
        if labels {
            guard mapping.requestIDColumn != nil else { throw Problem("--labels needs --request-id-column") }
            guard mapping.labelColumn != nil else { throw Problem("--labels needs --label-column") }
            if mapping.features != nil || mapping.classes != nil || mapping.probaColumns != nil || mapping.predictionColumn != nil {
                throw Problem("--labels appends labels only: drop --features, --classes, --proba-columns and --prediction-column")
            }
            return
        }
        guard modelVersion != nil else { throw Problem("--model-version is required (or use --labels)") }
        try mapping.validateInferenceMapping()
    }

    func run() async throws {
        try CommandFailure.makeFolder(logDirectory, flag: "--log")
        let plan = try labels ? labelPlan() : inferencePlan()
        let logger: InferenceLogger
        do {
            logger = try InferenceLogger(
                directory: logDirectory, endpoint: endpoint, modelVersion: plan.modelVersion, schema: plan.schema,
                options: .init(writerID: writerID, bufferPolicy: .block(timeout: .seconds(30))))
        } catch {
            throw ArgumentParser.ValidationError("cannot open the log: \(error)")
        }
        let outcome = try CSVIngestion(path: csv, plan: plan, logger: logger).run()
        do {
            try await logger.flush()
        } catch {
            FileHandle.standardError.write(Data("driftline ingest: \(error)\n".utf8))
            await logger.close()
            throw ExitCode(1)
        }
        await logger.close()
        print("ingested \(outcome.accepted) \(labels ? "labels" : "records") from \(csv) into \(logger.partitionFolder); \(outcome.rejected) rows rejected")
        if outcome.rejected > 0 { throw ExitCode(2) }
    }

    func inferencePlan() throws -> IngestPlan { try mapping.inferencePlan(modelVersion: modelVersion ?? "") }

    /// Labels need the endpoint's schema (class names or regression): read it from the log.
    func labelPlan() throws -> IngestPlan {
        let manifest: PartitionManifest
        do {
            let partitions = try LogDirectory(logDirectory).partitions(endpoint: endpoint)
            guard let found = try partitions.lazy.compactMap({ try ManifestFile.readAll(in: $0.path).values.first }).first else {
                let known = (try? LogDirectory(logDirectory).endpoints()) ?? []
                throw ArgumentParser.ValidationError("--endpoint \(endpoint): no partition of that endpoint in \(logDirectory) "
                    + "(it has \(known.isEmpty ? "none" : known.joined(separator: ", "))); check the name, or ingest its inferences first")
            }
            manifest = found
        } catch let error as ArgumentParser.ValidationError {
            throw error
        } catch {
            throw ArgumentParser.ValidationError("cannot read the schema of endpoint \(endpoint): \(error)")
        }
        return IngestPlan(
            schema: manifest.schema, modelVersion: manifest.modelVersion, mode: .labels, featureColumns: [],
            probabilityColumns: [], predictionColumn: nil, labelColumn: mapping.labelColumn, timestampColumn: mapping.timestampColumn,
            requestIDColumn: mapping.requestIDColumn, latencyColumn: nil)
    }
}
