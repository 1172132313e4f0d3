import DriftlineCore

/// What `ingest` and `profile` read from each CSV row: the model's schema and which column holds what.
public struct IngestPlan: Sendable {
    /// Inference rows (features and outcome) or delayed labels.
    public enum Mode: Sendable { case inferences, labels }

    public var schema: ModelSchema
    public var modelVersion: String
    public var mode: Mode
    public var featureColumns: [String]
    public var probabilityColumns: [String]
    public var predictionColumn: String?
    public var labelColumn: String?
    public var timestampColumn: String?
    public var requestIDColumn: String?
    public var latencyColumn: String?

    public init(
        schema: ModelSchema, modelVersion: String, mode: Mode, featureColumns: [String], probabilityColumns: [String],
        predictionColumn: String?, labelColumn: String?, timestampColumn: String?, requestIDColumn: String?, latencyColumn: String?
    ) {
        self.schema = schema
        self.modelVersion = modelVersion
        self.mode = mode
        self.featureColumns = featureColumns
        self.probabilityColumns = probabilityColumns
        self.predictionColumn = predictionColumn
        self.labelColumn = labelColumn
        self.timestampColumn = timestampColumn
        self.requestIDColumn = requestIDColumn
        self.latencyColumn = latencyColumn
    }

    /// Every column the plan reads.
    var neededColumns: [String] {
        featureColumns + probabilityColumns + [predictionColumn, labelColumn, timestampColumn, requestIDColumn, latencyColumn].compactMap { $0 }
    }

    /// The CSV column a validation error's field points at (`features[2] (region)` → the third feature column).
    public func column(for field: String) -> String {
        if field.hasPrefix("features["), let i = Self.index(in: field), i < featureColumns.count { return featureColumns[i] }
        if field.hasPrefix("probabilities["), let i = Self.index(in: field), i < probabilityColumns.count { return probabilityColumns[i] }
        if field.hasPrefix("probabilities") { return probabilityColumns.joined(separator: ",") }
        if field.hasPrefix("prediction") || field.hasPrefix("outcome") { return predictionColumn ?? probabilityColumns.joined(separator: ",") }
        if field.hasPrefix("label") { return labelColumn ?? field }
        if field.hasPrefix("latency") { return latencyColumn ?? field }
        if field.hasPrefix("requestID") { return requestIDColumn ?? field }
        if field.hasPrefix("timestamp") { return timestampColumn ?? field }
        return field
    }

    static func index(in field: String) -> Int? {
        guard let open = field.firstIndex(of: "["), let close = field.firstIndex(of: "]"), open < close else { return nil }
        return Int(field[field.index(after: open)..<close])
    }
}
