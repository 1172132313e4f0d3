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
            The CSV has a header row; fields may be quoted, lines may end in CRLF. An empty cell is a missing
            value (NaN) in a numeric feature, a missing category in a categorical one, and "no label" in the
            label column. Timestamps are ISO-8601 or epoch seconds; without --timestamp-column, now.
            A bad row is reported with its line and column and skipped; the rest is ingested, and the exit
            code is 2 when any row was rejected.

            Classification:
              driftline ingest --log ./log --endpoint iris --model-version 3 --csv scored.csv \\
                --features sepal_length,sepal_width,petal_length,petal_width \\
                --classes setosa,versicolor,virginica --proba-columns p_setosa,p_versicolor,p_virginica \\
                --label-column species --timestamp-column ts --request-id-column id --latency-column ms
            Regression:
              driftline ingest --log ./log --endpoint price --model-version 1 --csv scored.csv \\
                --features rooms,city --categorical city --prediction-column predicted_price
            Delayed labels (the endpoint's schema is read from the log):
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

    @Option(help: ArgumentHelp("Feature columns, in the model's order, comma-separated.", valueName: "a,b,c"))
    var features: String?

    @Option(help: ArgumentHelp("Which of the features are categorical, comma-separated (the rest are numeric).", valueName: "b"))
    var categorical: String?

    @Option(help: ArgumentHelp("Class names, comma-separated (classification).", valueName: "x,y,z"))
    var classes: String?

    @Option(help: ArgumentHelp("Probability columns, one per class, in --classes order.", valueName: "px,py,pz"))
    var probaColumns: String?

    @Option(help: "Decision threshold on the positive (second) class of a binary model.")
    var threshold = 0.5

    @Option(help: ArgumentHelp("Column holding the predicted value (regression).", valueName: "col"))
    var predictionColumn: String?

    @Option(help: ArgumentHelp("Column holding the true label (empty cell: no label).", valueName: "y"))
    var labelColumn: String?

    @Option(help: ArgumentHelp("Column holding the event time (ISO-8601 or epoch seconds).", valueName: "ts"))
    var timestampColumn: String?

    @Option(help: ArgumentHelp("Column holding the request id.", valueName: "id"))
    var requestIDColumn: String?

    @Option(help: ArgumentHelp("Column holding the latency in milliseconds.", valueName: "ms"))
    var latencyColumn: String?

    @Option(help: "The partition's writer id (default: <hostname>-<pid>).")
    var writerID: String?

    static func list(_ text: String?) -> [String] {
        (text ?? "").split(separator: ",", omittingEmptySubsequences: false).map { String($0).trimmingSpaces }.filter { !$0.isEmpty }
    }

    func validate() throws {
        typealias Problem = ArgumentParser.ValidationError
        guard FileManager.default.isReadableFile(atPath: csv) else { throw Problem("--csv \(csv): no such readable file") }
        if labels {
            guard requestIDColumn != nil else { throw Problem("--labels needs --request-id-column") }
            guard labelColumn != nil else { throw Problem("--labels needs --label-column") }
            if features != nil || classes != nil || probaColumns != nil || predictionColumn != nil {
                throw Problem("--labels appends labels only: drop --features, --classes, --proba-columns and --prediction-column")
            }
            return
        }
        guard modelVersion != nil else { throw Problem("--model-version is required (or use --labels)") }
        let featureList = Self.list(features)
        guard !featureList.isEmpty else { throw Problem("--features is required: the feature columns, comma-separated") }
        for name in Self.list(categorical) where !featureList.contains(name) {
            throw Problem("--categorical \(name): not one of --features")
        }
        switch (classes, predictionColumn) {
        case (.some, .some): throw Problem("give either --classes with --proba-columns (classification) or --prediction-column (regression), not both")
        case (nil, nil): throw Problem("give --classes with --proba-columns (classification) or --prediction-column (regression)")
        case (.some(let classText), nil):
            let classList = Self.list(classText)
            let columns = Self.list(probaColumns)
            guard columns.count == classList.count else {
                throw Problem("--proba-columns names \(columns.count) columns for \(classList.count) classes in --classes")
            }
            guard threshold > 0, threshold < 1 else { throw Problem("--threshold \(threshold): must lie in (0, 1)") }
        case (nil, .some):
            if probaColumns != nil { throw Problem("--proba-columns goes with --classes, not with --prediction-column") }
        }
    }

    func run() async throws {
        try FileManager.default.createDirectory(atPath: logDirectory, withIntermediateDirectories: true)
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

    /// Columns and schema for inference rows.
    func inferencePlan() throws -> IngestPlan {
        let featureList = Self.list(features)
        let categoricalSet = Set(Self.list(categorical))
        let task: ModelSchema.Task = classes.map { .classification(classes: Self.list($0), threshold: threshold) } ?? .regression
        let schema: ModelSchema
        do {
            schema = try ModelSchema(features: featureList.map { categoricalSet.contains($0) ? .categorical($0) : .numeric($0) }, task: task)
        } catch {
            throw ArgumentParser.ValidationError("the model described by --features/--classes is invalid: \(error)")
        }
        return IngestPlan(
            schema: schema, modelVersion: modelVersion ?? "", mode: .inferences, featureColumns: featureList,
            probabilityColumns: Self.list(probaColumns), predictionColumn: predictionColumn, labelColumn: labelColumn,
            timestampColumn: timestampColumn, requestIDColumn: requestIDColumn, latencyColumn: latencyColumn)
    }

    /// Labels need the endpoint's schema (class names or regression): read it from the log.
    func labelPlan() throws -> IngestPlan {
        let manifest: PartitionManifest
        do {
            let partitions = try LogDirectory(logDirectory).partitions(endpoint: endpoint)
            guard let found = try partitions.lazy.compactMap({ try ManifestFile.readAll(in: $0.path).values.first }).first else {
                throw ArgumentParser.ValidationError("no partition of endpoint \(endpoint) in \(logDirectory): ingest its inferences first")
            }
            manifest = found
        } catch let error as ArgumentParser.ValidationError {
            throw error
        } catch {
            throw ArgumentParser.ValidationError("cannot read the schema of endpoint \(endpoint): \(error)")
        }
        return IngestPlan(
            schema: manifest.schema, modelVersion: manifest.modelVersion, mode: .labels, featureColumns: [],
            probabilityColumns: [], predictionColumn: nil, labelColumn: labelColumn, timestampColumn: timestampColumn,
            requestIDColumn: requestIDColumn, latencyColumn: nil)
    }
}
