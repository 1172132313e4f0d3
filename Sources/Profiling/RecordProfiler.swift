import DriftlineCore
import Profiles

/// Profiles decoded records of one model (endpoint and model version) into a ``WindowProfile``: every
/// feature and every reserved column of DESIGN.md.
///
/// The tail stage profiles production traffic with it and `driftline profile` profiles a training set with
/// it, so both sides of a drift comparison are computed the same way.
///
/// ```swift
/// let profiler = RecordProfiler(schema: manifest.schema, bins: reference.bins)   // bins: by column name
/// var window = profiler.makeWindow()
/// for record in records { profiler.add(record, to: &window) }
/// let rows = window.rows(endpoint: "iris", modelVersion: "3", windowStart: start, windowEnd: end)
/// ```
///
/// Columns, in order:
/// - each feature, numeric or categorical as the schema says (NaN is missing);
/// - `:prediction`: the predicted class (categorical; binary models use the threshold, multiclass the
///   arg-max, first on ties) or the predicted value (numeric, regression); missing when the model failed;
/// - classification only: `:proba:<class>` for every class, `:pred1` (largest probability) and `:spread12`
///   (largest minus second largest), all missing when the model failed;
/// - `:latency_ms` (numeric, latency in milliseconds) and `:error` (categorical: `ok` or the error code);
/// - label columns, which count *labelled records only* (an unlabelled record adds nothing to them, so a
///   label that arrives hours later adds to the same counts): `:label` (class name, or value for
///   regression), then `:confusion` (`<label>|<prediction>`, classification) or `:residual` (prediction −
///   label) and `:abs_residual` (regression). A labelled record whose model failed counts as missing in
///   `:confusion`/`:residual`/`:abs_residual`; a label of the wrong kind (a number for a classifier) as
///   missing in `:label` too.
public struct RecordProfiler: Sendable {
    /// What a record predicted, kept by the label join to profile a label that arrives later.
    public enum Prediction: Sendable, Equatable {
        /// The index of the predicted class in the schema's classes.
        case classIndex(Int)
        /// A regression prediction.
        case value(Double)
        /// The model failed (no prediction).
        case failed
    }

    /// One column: its name and kind.
    public struct Column: Sendable, Equatable {
        public let name: String
        public let kind: ColumnProfile.Kind
    }

    /// The model's schema.
    public let schema: ModelSchema
    /// Every column, features first, in the order described above.
    public let columns: [Column]
    /// The bins numeric columns count into, by column name.
    public let bins: [String: ReferenceBins]

    // Slots: index into WindowProfile's numeric or categorical storage.
    let featureSlots: [Int]
    /// The features' kinds, apart from their names (no string retain on the hot path).
    let featureKinds: [ModelSchema.FeatureKind]
    let classes: [String]
    let threshold: Double?
    let isClassification: Bool
    let predictionSlot: Int
    let probabilitySlots: [Int]
    let pred1Slot: Int
    let spreadSlot: Int
    let latencySlot: Int
    let errorSlot: Int
    let labelSlot: Int
    let confusionSlot: Int
    let residualSlot: Int
    let absoluteResidualSlot: Int
    /// Per column: (kind, slot), in `columns` order.
    let layout: [(kind: ColumnProfile.Kind, slot: Int)]
    let numericNames: [String]
    let categoricalNames: [String]
    /// Confusion values by label index then prediction index, built once.
    let confusionValues: [[String]]

    /// A profiler for records of `schema`; numeric columns named in `bins` also count a histogram over them.
    public init(schema: ModelSchema, bins: [String: ReferenceBins] = [:]) {
        self.schema = schema
        self.bins = bins
        var columns: [Column] = []
        var layout: [(kind: ColumnProfile.Kind, slot: Int)] = []
        var numericNames: [String] = []
        var categoricalNames: [String] = []
        func add(_ name: String, _ kind: ColumnProfile.Kind) -> Int {
            columns.append(Column(name: name, kind: kind))
            switch kind {
            case .numeric:
                numericNames.append(name)
                layout.append((kind, numericNames.count - 1))
                return numericNames.count - 1
            case .categorical:
                categoricalNames.append(name)
                layout.append((kind, categoricalNames.count - 1))
                return categoricalNames.count - 1
            }
        }
        featureSlots = schema.features.map { add($0.name, $0.kind == .numeric ? .numeric : .categorical) }
        featureKinds = schema.features.map(\.kind)
        classes = schema.task.classes
        isClassification = schema.task.isClassification
        if case .binaryClassification(_, let t) = schema.task { threshold = t } else { threshold = nil }
        predictionSlot = add(DerivedColumns.prediction, isClassification ? .categorical : .numeric)
        if isClassification {
            probabilitySlots = classes.map { add(DerivedColumns.probabilityColumn($0), .numeric) }
            pred1Slot = add(DerivedColumns.pred1, .numeric)
            spreadSlot = add(DerivedColumns.spread12, .numeric)
        } else {
            probabilitySlots = []
            pred1Slot = -1
            spreadSlot = -1
        }
        latencySlot = add(DerivedColumns.latency, .numeric)
        errorSlot = add(DerivedColumns.error, .categorical)
        labelSlot = add(DerivedColumns.label, isClassification ? .categorical : .numeric)
        if isClassification {
            confusionSlot = add(DerivedColumns.confusion, .categorical)
            residualSlot = -1
            absoluteResidualSlot = -1
        } else {
            confusionSlot = -1
            residualSlot = add(DerivedColumns.residual, .numeric)
            absoluteResidualSlot = add(DerivedColumns.absoluteResidual, .numeric)
        }
        let classNames = classes
        confusionValues = classNames.map { label in
            classNames.map { DerivedColumns.confusionValue(label: label, prediction: $0) }
        }
        self.columns = columns
        self.layout = layout
        self.numericNames = numericNames
        self.categoricalNames = categoricalNames
    }

    /// An empty window with an accumulator for every column.
    public func makeWindow() -> WindowProfile {
        WindowProfile(
            numeric: numericNames.map { NumericProfile(bins: bins[$0]) },
            categorical: categoricalNames.map { CategoryCounts(capacity: DerivedColumns.categoryCapacity(of: $0)) },
            profiler: self)
    }

    /// What `record` predicted (for the label join).
    public func prediction(of record: InferenceRecord) -> Prediction {
        switch record.outcome {
        case .probabilities(let probabilities):
            guard let c = DerivedColumns.classify(probabilities: probabilities, threshold: threshold) else { return .failed }
            return .classIndex(c.predictedIndex)
        case .prediction(let value):
            return .value(value)
        case .error:
            return .failed
        }
    }

    /// Profiles one inference: features, prediction columns, latency, error and, when it carries one, its
    /// label. Returns what it predicted (for the label join).
    @discardableResult
    public func add(_ record: borrowing InferenceRecord, to window: inout WindowProfile) -> Prediction {
        addFeatures(record.features, to: &window)
        let prediction: Prediction
        switch record.outcome {
        case .probabilities where !isClassification:
            // Probabilities for a regression model (the logger refuses them; a foreign writer may not): no prediction.
            prediction = .failed
            window.numeric[predictionSlot].addMissing()
            window.categorical[errorSlot].add(Self.ok)
        case .probabilities(let probabilities):
            if let c = DerivedColumns.classify(probabilities: probabilities, threshold: threshold), c.predictedIndex < classes.count {
                prediction = .classIndex(c.predictedIndex)
                window.categorical[predictionSlot].add(classes[c.predictedIndex])
                window.addNumber(slot: pred1Slot, c.pred1)
                window.addNumber(slot: spreadSlot, c.spread12)
            } else {
                prediction = .failed
                window.categorical[predictionSlot].add(nil)
                window.numeric[pred1Slot].addMissing()
                window.numeric[spreadSlot].addMissing()
            }
            for (index, slot) in probabilitySlots.enumerated() {
                if index < probabilities.count { window.addNumber(slot: slot, probabilities[index]) } else { window.numeric[slot].addMissing() }
            }
            window.categorical[errorSlot].add(Self.ok)
        case .prediction(let value):
            prediction = .value(value)
            if isClassification {
                window.categorical[predictionSlot].add(nil)
                for slot in [pred1Slot, spreadSlot] + probabilitySlots { window.numeric[slot].addMissing() }
            } else {
                window.addNumber(slot: predictionSlot, value)
            }
            window.categorical[errorSlot].add(Self.ok)
        case .error(let code):
            prediction = .failed
            if isClassification {
                window.categorical[predictionSlot].add(nil)
                for slot in [pred1Slot, spreadSlot] + probabilitySlots { window.numeric[slot].addMissing() }
            } else {
                window.numeric[predictionSlot].addMissing()
            }
            window.categorical[errorSlot].add(code)
        }
        window.addNumber(slot: latencySlot, Double(record.latencyMicroseconds) / 1000)
        window.records += 1
        if let label = record.label { addLabel(label, prediction: prediction, to: &window) }
        return prediction
    }

    /// Profiles the features alone (a training set without predictions); counts no record in the other columns.
    public func addFeatures(_ features: [FeatureValue], to window: inout WindowProfile) {
        let count = features.count
        for index in featureSlots.indices {
            let slot = featureSlots[index]
            let value = index < count ? features[index] : .missing
            switch (featureKinds[index], value) {
            case (.numeric, .number(let x)):
                window.addNumber(slot: slot, x)
            case (.numeric, .string):
                window.numeric[slot].addMissing()
            case (.categorical, .string(let text)):
                window.categorical[slot].add(text)
            case (.categorical, .number):
                window.categorical[slot].add(nil)
            }
        }
    }

    /// Profiles a label into the label columns, given what its record predicted (nil: unknown, as in a
    /// training set without predictions; then only `:label` counts).
    public func addLabel(_ label: Label, prediction: Prediction?, to window: inout WindowProfile) {
        window.labels += 1
        if isClassification {
            guard case .className(let name) = label, let labelIndex = schema.classIndex(of: name) else {
                window.categorical[labelSlot].add(nil)
                if prediction != nil { window.categorical[confusionSlot].add(nil) }
                return
            }
            window.categorical[labelSlot].add(name)
            switch prediction {
            case .classIndex(let predicted)? where predicted >= 0 && predicted < classes.count:
                window.categorical[confusionSlot].add(confusionValues[labelIndex][predicted])
            case nil:
                break
            default:
                window.categorical[confusionSlot].add(nil)
            }
        } else {
            guard case .value(let truth) = label else {
                window.numeric[labelSlot].addMissing()
                if prediction != nil {
                    window.numeric[residualSlot].addMissing()
                    window.numeric[absoluteResidualSlot].addMissing()
                }
                return
            }
            switch prediction {
            case .value(let predicted)?:
                let r = DerivedColumns.residuals(prediction: predicted, label: truth)
                if ValueRange.isProfiled(truth) && ValueRange.isProfiled(r.residual) && ValueRange.isProfiled(r.absoluteResidual) {
                    window.numeric[labelSlot].add(truth)
                    window.numeric[residualSlot].add(r.residual)
                    window.numeric[absoluteResidualSlot].add(r.absoluteResidual)
                } else {
                    // A label or residual beyond ±1e100 (ValueRange): all three missing, so that they still cover
                    // the same records; the out-of-range ones are counted.
                    for (slot, x) in [(labelSlot, truth), (residualSlot, r.residual), (absoluteResidualSlot, r.absoluteResidual)] {
                        if ValueRange.isOutOfRange(x) { window.addNumber(slot: slot, x) } else { window.numeric[slot].addMissing() }
                    }
                }
            case nil:
                window.addNumber(slot: labelSlot, truth)
            default:
                // The model failed on this record: its label is kept out of `:label` too (counted missing), so
                // that `:label`, `:residual` and `:abs_residual` cover the same records and R² stays defined.
                window.numeric[labelSlot].addMissing()
                window.numeric[residualSlot].addMissing()
                window.numeric[absoluteResidualSlot].addMissing()
            }
        }
    }

    static let ok = "ok"
}
