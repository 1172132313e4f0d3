import DriftlineCore
import DriftlineStore
import Profiles

/// A training set profiled as the tail stage profiles production (`RecordProfiler`), plus the raw
/// values of every numeric column, from which the reference bins are computed exactly.
public struct TrainingProfile: Sendable {
    public let schema: ModelSchema
    public let window: WindowProfile
    public let profiler: RecordProfiler
    /// Raw values per numeric column (NaN = missing), as the profiler saw them.
    public let values: [String: [Double]]
    public let binCount: Int
    public let hasLatency: Bool
    /// The labelled rows' probabilities, for the calibration maps of `:proba:<class>` and `:pred1`.
    public let calibration: CalibrationSet

    public init(schema: ModelSchema, records: [InferenceRecord], binCount: Int, hasLatency: Bool) throws {
        self.schema = schema
        self.binCount = binCount
        self.hasLatency = hasLatency
        profiler = RecordProfiler(schema: schema)
        var window = profiler.makeWindow()
        var calibration = CalibrationSet(classes: schema.task.classes, threshold: Self.threshold(of: schema.task))
        for record in records {
            profiler.add(record, to: &window)
            if case let .probabilities(p) = record.outcome, case let .className(label)? = record.label {
                calibration.add(probabilities: p, label: label)
            }
        }
        self.window = window
        self.calibration = calibration
        values = Self.numericValues(schema: schema, records: records)
    }

    /// A binary model's decision threshold.
    static func threshold(of task: ModelSchema.Task) -> Double? {
        if case let .binaryClassification(_, threshold) = task { threshold } else { nil }
    }

    /// The raw values of every numeric column, derived with the same functions the profiler uses.
    static func numericValues(schema: ModelSchema, records: [InferenceRecord]) -> [String: [Double]] {
        var out: [String: [Double]] = [:]
        let classes = schema.task.classes
        var threshold: Double? = nil
        if case let .binaryClassification(_, t) = schema.task { threshold = t }
        for record in records {
            for (index, feature) in schema.features.enumerated() where feature.kind == .numeric {
                if index < record.features.count, case let .number(x) = record.features[index] {
                    out[feature.name, default: []].append(x)
                } else {
                    out[feature.name, default: []].append(.nan)
                }
            }
            out[DerivedColumns.latency, default: []].append(Double(record.latencyMicroseconds) / 1000)
            switch record.outcome {
            case let .probabilities(p):
                for (index, name) in classes.enumerated() {
                    out[DerivedColumns.probabilityColumn(name), default: []].append(index < p.count ? p[index] : .nan)
                }
                let c = DerivedColumns.classify(probabilities: p, threshold: threshold)
                out[DerivedColumns.pred1, default: []].append(c?.pred1 ?? .nan)
                out[DerivedColumns.spread12, default: []].append(c?.spread12 ?? .nan)
            case let .prediction(value):
                if !schema.task.isClassification {
                    out[DerivedColumns.prediction, default: []].append(value)
                    if case let .value(truth)? = record.label {
                        let r = DerivedColumns.residuals(prediction: value, label: truth)
                        out[DerivedColumns.residual, default: []].append(r.residual)
                        out[DerivedColumns.absoluteResidual, default: []].append(r.absoluteResidual)
                    }
                }
            case .error:
                break
            }
            if !schema.task.isClassification, case let .value(truth)? = record.label {
                out[DerivedColumns.label, default: []].append(truth)
            }
        }
        // ValueRange: a value beyond ±1e100 is missing here as it is in the profiler (bins over it would be unusable).
        return out.mapValues { values in values.map { ValueRange.isProfiled($0) || $0.isNaN ? $0 : .nan } }
    }

    /// The reference: every profiled column; numeric ones with bins and training counts over them.
    public func reference(endpoint: String, modelVersion: String) throws -> Reference {
        var columns: [ReferenceColumn] = []
        for column in profiler.columns {
            if column.name == DerivedColumns.latency && !hasLatency { continue }
            guard let profile = window.profile(of: column.name) else { continue }
            guard profile.kind == .numeric, let raw = values[column.name] else {
                columns.append(ReferenceColumn(profile: profile))
                continue
            }
            // A binary model's threshold is an edge of its positive class's probability (REFERENCE.md).
            let threshold = column.name == DerivedColumns.probabilityColumn(schema.task.classes.last ?? "") ? Self.threshold(of: schema.task) : nil
            var built = try ReferenceColumn.numeric(name: column.name, values: raw, binCount: binCount, extraEdge: threshold)
            if built.count != profile.count {
                // The raw derivation disagrees with the profiler (should not happen): keep the profiler's
                // statistics and bin what was derived.
                let edges = built.edges
                built = ReferenceColumn(profile: profile)
                built.edges = edges
                built.histogram = try ReferenceBins(referenceID: "", edges: edges ?? []).counts(of: raw)
            }
            if profile.missingCount != built.missingCount { built.missingCount = profile.missingCount }
            if let edges = built.edges {
                built.calibration = try calibration.map(column: column.name, bins: ReferenceBins(referenceID: "", edges: edges))
            }
            columns.append(built)
        }
        let task: ReferenceTask
        switch schema.task {
        case let .binaryClassification(classes, threshold): task = .classification(classes: classes, threshold: threshold)
        case let .multiclassClassification(classes): task = .classification(classes: classes)
        case .regression: task = .regression
        }
        return Reference(endpoint: endpoint, modelVersion: modelVersion, binCount: binCount, task: task, columns: columns)
    }
}
