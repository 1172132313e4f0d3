import DriftlineCore

/// Many inferences at once, MLWatcher-style: a features matrix, a probabilities matrix (or a predictions
/// vector), and optional request ids, latencies and labels, one row per inference.
///
/// ```swift
/// let batch = try InferenceBatch(numericFeatures: x, columns: 4,        // row-major n × 4, e.g. from a tensor
///                                probabilities: p, requestIDs: ids)    // row-major n × classes
/// try logger.log(batch: batch)
/// ```
/// Matrices are row-major and flat, as tensors and numpy arrays hand them out.
public struct InferenceBatch: Sendable {
    /// The features of every row.
    public enum Features: Sendable {
        /// Row-major numbers, `columns` per row (all-numeric schemas; NaN is missing).
        case numeric([Double], columns: Int)
        /// One array of values per row (any schema).
        case rows([[FeatureValue]])
    }

    /// What the model answered for every row.
    public enum Outcomes: Sendable {
        /// Row-major class probabilities, one column per class.
        case probabilities([Double], columns: Int)
        /// One predicted value per row (regression).
        case predictions([Double])
    }

    /// The features.
    public var features: Features
    /// The answers.
    public var outcomes: Outcomes
    /// One id per row, or nil for none.
    public var requestIDs: [RequestID]?
    /// One latency per row, or nil for zero.
    public var latencies: [Duration]?
    /// One inline label per row (nil entries for unknown), or nil for none.
    public var labels: [Label?]?
    /// The event time of every row (default: when the batch was created).
    public var timestamp: Timestamp

    /// Number of rows.
    public let rowCount: Int

    /// A batch of rows; the arrays must agree on the number of rows.
    /// - Throws: ``ValidationError`` (`wrongArity`) naming the array that disagrees.
    public init(
        features: Features, outcomes: Outcomes, requestIDs: [RequestID]? = nil, latencies: [Duration]? = nil,
        labels: [Label?]? = nil, timestamp: Timestamp = .now()
    ) throws(ValidationError) {
        let rows: Int
        switch features {
        case .numeric(let values, let columns):
            guard columns > 0, values.count % columns == 0 else {
                throw ValidationError(.wrongArity, field: "batch.features", value: "\(values.count) values", detail: "not a whole number of rows of \(columns) columns")
            }
            rows = values.count / columns
        case .rows(let list):
            rows = list.count
        }
        func check(_ count: Int?, _ field: String) throws(ValidationError) {
            if let count, count != rows {
                throw ValidationError(.wrongArity, field: field, value: "\(count) rows", detail: "the features have \(rows) rows")
            }
        }
        switch outcomes {
        case .probabilities(let values, let columns):
            guard columns > 0, values.count == rows * columns else {
                throw ValidationError(.wrongArity, field: "batch.probabilities", value: "\(values.count) values", detail: "expected \(rows) rows of \(columns) probabilities")
            }
        case .predictions(let values):
            try check(values.count, "batch.predictions")
        }
        try check(requestIDs?.count, "batch.requestIDs")
        try check(latencies?.count, "batch.latencies")
        try check(labels?.count, "batch.labels")
        self.features = features
        self.outcomes = outcomes
        self.requestIDs = requestIDs
        self.latencies = latencies
        self.labels = labels
        self.timestamp = timestamp
        self.rowCount = rows
    }

    /// A classification batch from row-major matrices.
    public init(
        numericFeatures: [Double], columns: Int, probabilities: [Double], requestIDs: [RequestID]? = nil,
        latencies: [Duration]? = nil, labels: [Label?]? = nil, timestamp: Timestamp = .now()
    ) throws(ValidationError) {
        let rows = columns > 0 ? numericFeatures.count / columns : 0
        let classes = rows > 0 ? probabilities.count / rows : 0
        try self.init(
            features: .numeric(numericFeatures, columns: columns), outcomes: .probabilities(probabilities, columns: max(1, classes)),
            requestIDs: requestIDs, latencies: latencies, labels: labels, timestamp: timestamp)
    }

    /// Encodes every row (validating all of them) into `out`; `ends[i]` is where row `i` ends.
    func encode(with encoder: RecordEncoder, into out: inout [UInt8], ends: inout [Int]) throws(ValidationError) {
        ends.reserveCapacity(rowCount)
        for row in 0..<rowCount {
            let requestID = requestIDs?[row] ?? .none
            let latency = latencies?[row].wholeMicroseconds ?? 0
            let label = labels?[row] ?? nil
            do throws(ValidationError) {
                switch (features, outcomes) {
                case (.numeric(let values, let columns), .probabilities(let probabilities, let classes)) where label == nil:
                    try values.withUnsafeBufferPointer { (x) throws(ValidationError) in
                        try probabilities.withUnsafeBufferPointer { (p) throws(ValidationError) in
                            try encoder.appendInference(
                                timestamp: timestamp, requestID: requestID,
                                numericFeatures: UnsafeBufferPointer(rebasing: x[row * columns..<(row + 1) * columns]),
                                probabilities: UnsafeBufferPointer(rebasing: p[row * classes..<(row + 1) * classes]),
                                latencyMicroseconds: latency, to: &out)
                        }
                    }
                default:
                    try encoder.appendInference(
                        timestamp: timestamp, requestID: requestID, features: featureRow(row), outcome: outcome(row),
                        latencyMicroseconds: latency, label: label, to: &out)
                }
            } catch {
                throw ValidationError(error.kind, field: "batch[\(row)].\(error.field)", value: error.value, detail: error.detail)
            }
            ends.append(out.count)
        }
    }

    func featureRow(_ row: Int) -> [FeatureValue] {
        switch features {
        case .numeric(let values, let columns): return values[row * columns..<(row + 1) * columns].map(FeatureValue.number)
        case .rows(let list): return list[row]
        }
    }

    func outcome(_ row: Int) -> InferenceRecord.Outcome {
        switch outcomes {
        case .probabilities(let values, let columns): return .probabilities(Array(values[row * columns..<(row + 1) * columns]))
        case .predictions(let values): return .prediction(values[row])
        }
    }
}
