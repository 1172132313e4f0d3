import ArgumentParser
import CSVInput
import Driftline
import DriftlineLog
import Foundation

/// `driftline ingest`: appends CSV rows to the log through `InferenceLogger` (backfills, tests, batch scoring).
struct IngestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Append inference records (or, with --labels, delayed labels) from a CSV file to the log.",
        discussion: """
            The CSV has a header row and follows RFC 4180 strictly (README, "CSV input"):
            fields may be quoted ("" is a quote inside one), lines end in LF or CRLF; an
            unterminated quote, a quote inside an unquoted field, a row with more or fewer
            fields than the header, a number that is not plain decimal (0x10, nan, inf)
            and an impossible time (2026-02-30) reject their row, reported with its line;
            duplicate header names refuse the file. An empty cell is a missing value
            (NaN) in a numeric feature, a missing category in a categorical one, and "no
            label" in the label column. Timestamps are ISO-8601 or epoch seconds; without
            --timestamp-column, now. Rows are validated exactly as `profile` and the
            logger validate them. The rest is ingested, and the exit code is 2 when any
            row was rejected.

            Resumable: the partition's writer id is derived from the file's path
            (csv-<name>-<hash>) unless --writer-id is given, and rows that partition
            already holds are skipped. After a failure, a kill or rejected rows, fix
            the cause and run the same command again: nothing is written twice.
            --labels checks each label against the classes of the model version that
            made its prediction.

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

    @Option(help: "The partition's writer id (default: csv-<file name>-<hash of its path>, so that a re-run resumes).")
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
        let ingestion = CSVIngestion(path: csv, plan: plan, logDirectory: logDirectory, endpoint: endpoint, writerID: writerID)
        let outcome: CSVIngestion.Outcome
        do {
            outcome = try await ingestion.run { line, problem in
                FileHandle.standardError.write(Data("\(csv):\(line): column \(problem.column): \(problem.detail)\n".utf8))
            }
        } catch {
            // A file that does not fit the flags is a usage error (64); a failed write is a failure (1).
            if case .file(let problem) = error { throw ArgumentParser.ValidationError(problem) }
            throw CommandFailure("\(error)")
        }
        let what = labels ? "labels" : "records"
        var text = "ingested \(outcome.written) \(what) from \(csv) into \(outcome.partitionFolder); \(outcome.rejected) rows rejected"
        if outcome.skipped > 0 { text += "; \(outcome.skipped) rows were already there from an earlier run and were skipped (resumed)" }
        if outcome.unmatchedLabels > 0 { text += "; \(outcome.unmatchedLabels) labels have no prediction in the log yet (checked against model version \(plan.modelVersion))" }
        print(text)
        if outcome.rejected > 0 {
            FileHandle.standardError.write(Data("driftline ingest: fix the \(outcome.rejected) rejected rows and run the same command again: rows already in \(outcome.partitionFolder) are skipped, nothing is written twice\n".utf8))
            throw ExitCode(2)
        }
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
