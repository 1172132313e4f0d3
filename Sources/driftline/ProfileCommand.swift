import ArgumentParser
import CSVInput
import DriftlineCore
import DriftlineStore
import Foundation
import Profiles
import Profiling

/// `driftline profile`: the reference of a model version from its (scored) training set.
struct ProfileCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "profile",
        abstract: "Profile a training set (CSV) into the reference that drift is measured against.",
        discussion: """
            Reads the training set with the same column mapping as `ingest`, profiles
            every row exactly as `driftline tail` profiles production traffic (features,
            :prediction, :proba:<class>, :pred1, :spread12, :label, …), computes each
            numeric column's drift bins from the raw training values (quantiles at i/B,
            numpy's default interpolation; repeated edges dropped) and writes
            <store>/references/<endpoint>/<model-version>.json (format:
            Sources/DriftlineStore/REFERENCE.md). Run it before `driftline tail` starts on
            that model version, so that production windows count exact histograms over the
            reference's bins. Rows are read and validated exactly as `ingest` reads them
            (strict CSV, plain decimal numbers, probabilities in [0, 1] summing to 1,
            finite values, real calendar dates; the same names rule for --endpoint and
            --model-version); a row that `ingest` would reject fails the command, with
            up to 10 such rows listed by line.

            With --label-column (a labelled validation set, held out from the model's
            training: a model is over-confident on its own training rows), the reference
            also gets calibration maps of :proba:<class> and :pred1, from which `driftline
            batch` estimates accuracy (and a binary model's precision, recall and F1)
            without labels (README, "Estimated accuracy"). A binary model's threshold is
            always an edge of its positive class's probability bins.

            Examples:
              # the demo's iris-good model, from its training data in the repository
              driftline profile --store ./store --endpoint iris --model-version 1 \\
                --csv pipelines/demo/iris-train.csv \\
                --features sepal_length,sepal_width,petal_length,petal_width \\
                --classes setosa,versicolor,virginica \\
                --proba-columns good_setosa,good_versicolor,good_virginica \\
                --label-column species
              # a categorical feature, and 10 bins
              driftline profile --store ./store --endpoint iris --model-version 3 \\
                --csv train.csv --features sepal_length,petal_width,region \\
                --categorical region --classes setosa,versicolor,virginica \\
                --proba-columns p_setosa,p_versicolor,p_virginica --bins 10
            """
    )

    @Option(help: ArgumentHelp("The store folder (created when missing).", valueName: "dir"))
    var store: String

    @Option(help: "The endpoint (the served model's name).")
    var endpoint: String

    @Option(help: "The model version the training set belongs to.")
    var modelVersion: String

    @Option(help: ArgumentHelp("The training set: a CSV file with a header row.", valueName: "file"))
    var csv: String

    @OptionGroup var mapping: ColumnMapping

    @Option(help: "Number of drift bins B of numeric columns (quantile bins; repeated edges are dropped).")
    var bins = 20

    func validate() throws {
        typealias Problem = ArgumentParser.ValidationError
        guard FileManager.default.isReadableFile(atPath: csv) else { throw Problem("--csv \(csv): no such readable file; check the path (the training set, a CSV with a header row)") }
        guard (2...1000).contains(bins) else { throw Problem("--bins \(bins): must lie in 2…1000") }
        try mapping.validateInferenceMapping()
        do { _ = try Store(root: store).referencePath(endpoint: endpoint, modelVersion: modelVersion) } catch {
            throw Problem("\(error)")
        }
        // The names rule of the log (what `ingest` and the logger apply), so that a reference never exists for a
        // name no record can carry.
        do { _ = try PartitionManifest(endpoint: endpoint, modelVersion: modelVersion, schema: mapping.inferencePlan(modelVersion: modelVersion).schema) } catch let error as DriftlineCore.ValidationError {
            throw Problem("--\(error.field == "endpoint" ? "endpoint" : "model-version") \(CSVText.quoted(error.value)): \(error.detail)")
        }
    }

    func run() throws {
        let plan = try mapping.inferencePlan(modelVersion: modelVersion)
        var records: [InferenceRecord] = []
        var problems: [String] = []
        let encoder = RecordEncoder(schema: plan.schema)
        var scratch: [UInt8] = []
        let outcome: CSVRecords.Outcome
        do {
            outcome = try CSVRecords(path: csv, plan: plan).forEach(reject: { line, problem in
                if problems.count < 10 { problems.append("\(csv):\(line): column \(problem.column): \(problem.detail)") }
            }) { _, row in
                guard case let .inference(record) = row else { return }
                // The logger's rules (RecordEncoder), so `profile` accepts exactly the rows `ingest` would log:
                // e.g. a regression prediction or label beyond ±1e100 (ValueRange) is refused by both.
                scratch.removeAll(keepingCapacity: true)
                do throws(DriftlineCore.ValidationError) { try encoder.appendInference(record, to: &scratch) } catch {
                    throw RowProblem(column: error.field, detail: error.description)
                }
                records.append(record)
            }
        } catch let error as CSVFileError {
            throw ArgumentParser.ValidationError(error.description)  // a file that does not fit the flags: usage error, 64
        }
        guard outcome.rejected == 0 else {
            let more = outcome.rejected > problems.count ? "\n… and \(outcome.rejected - problems.count) more" : ""
            throw CommandFailure("\(outcome.rejected) rows of \(csv) cannot be used; fix the training set and run again:\n"
                                 + problems.joined(separator: "\n") + more)
        }
        guard !records.isEmpty else { throw CommandFailure("\(csv) has a header but no data rows: a reference needs training rows") }
        let profile = try TrainingProfile(schema: plan.schema, records: records, binCount: bins, hasLatency: mapping.latencyColumn != nil)
        let reference = try profile.reference(endpoint: endpoint, modelVersion: modelVersion)
        let path: String
        do { path = try reference.save(in: Store(root: store)) } catch { throw CommandFailure("--store \(store): cannot write the reference: \(error)") }
        let numeric = reference.columns.filter { $0.kind == .numeric }.count
        let calibrated = reference.columns.filter { $0.calibration != nil }.count
        let calibration = calibrated > 0 ? ", \(calibrated) calibration maps from \(profile.calibration.count) labelled rows"
            : plan.schema.task.isClassification ? ", no labelled rows: no calibration maps (no estimated accuracy)" : ""
        print("profiled \(records.count) rows of \(csv) into \(path): \(reference.columns.count) columns (\(numeric) numeric with up to \(bins) bins)\(calibration), reference_id \(reference.referenceID)")
    }
}
