import ArgumentParser
import CSVInput
import Driftline
import Foundation

/// The CSV column-mapping flags shared by `ingest` and `profile`: which columns are the features,
/// the class probabilities or prediction, the label, the time, the request id and the latency.
struct ColumnMapping: ParsableArguments {
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

    static func list(_ text: String?) -> [String] {
        (text ?? "").split(separator: ",", omittingEmptySubsequences: false).map { String($0).trimmingSpaces }.filter { !$0.isEmpty }
    }

    /// The checks of an inference mapping: features, and either classes with probabilities or a prediction column.
    func validateInferenceMapping() throws {
        typealias Problem = ArgumentParser.ValidationError
        let featureList = Self.list(features)
        guard !featureList.isEmpty else { throw Problem("--features is required: the feature columns, comma-separated") }
        for name in Self.list(categorical) where !featureList.contains(name) {
            throw Problem("--categorical \(name): not one of --features; list it in --features too")
        }
        switch (classes, predictionColumn) {
        case (.some, .some): throw Problem("give either --classes with --proba-columns (classification) or --prediction-column (regression), not both")
        case (nil, nil): throw Problem("give --classes with --proba-columns (classification) or --prediction-column (regression)")
        case (.some(let classText), nil):
            let classList = Self.list(classText)
            let columns = Self.list(probaColumns)
            guard columns.count == classList.count else {
                throw Problem("--proba-columns names \(columns.count) columns for \(classList.count) classes in --classes; give one column per class, in the same order")
            }
            guard threshold > 0, threshold < 1 else { throw Problem("--threshold \(threshold): must lie in (0, 1)") }
        case (nil, .some):
            if probaColumns != nil { throw Problem("--proba-columns goes with --classes, not with --prediction-column") }
        }
    }

    /// Columns and schema for inference rows of `modelVersion`.
    func inferencePlan(modelVersion: String) throws -> IngestPlan {
        let featureList = Self.list(features)
        let categoricalSet = Set(Self.list(categorical))
        let task: ModelSchema.Task = classes.map { .classification(classes: Self.list($0), threshold: threshold) } ?? .regression
        let schema: ModelSchema
        do {
            schema = try ModelSchema(features: featureList.map { categoricalSet.contains($0) ? .categorical($0) : .numeric($0) }, task: task)
            // The names every stage accepts (NameRules): no reserved column such as `:prediction`.
            for (i, feature) in schema.features.enumerated() { try NameRules.checkColumnName(feature.name, field: "--features[\(i)]") }
        } catch {
            throw ArgumentParser.ValidationError("the model described by --features/--classes is invalid: \(error)")
        }
        return IngestPlan(
            schema: schema, modelVersion: modelVersion, mode: .inferences, featureColumns: featureList,
            probabilityColumns: Self.list(probaColumns), predictionColumn: predictionColumn, labelColumn: labelColumn,
            timestampColumn: timestampColumn, requestIDColumn: requestIDColumn, latencyColumn: latencyColumn)
    }
}
