import Foundation
import Profiles

func doubleArray(_ any: Any?) -> [Double] {
    ((any as? [Any]) ?? []).map { value in
        if let text = value as? String { return Double(text) ?? .nan }
        if let number = value as? NSNumber { return number.doubleValue }
        return .nan
    }
}

/// Floats arrive as strings (Python's shortest repr): Foundation's JSON parser does not round them correctly.
func doubleValue(_ any: Any?) -> Double? {
    if let text = any as? String { return Double(text) }
    return (any as? NSNumber)?.doubleValue
}

func stringArray(_ any: Any?) -> [String?] {
    ((any as? [Any]) ?? []).map { $0 as? String }
}

func errorObject(_ error: ProfileError) -> [String: Any] {
    ["error": "\(error)"]
}

func distancesObject(_ d: BinnedDistances?, _ c: ChiSquareTest?) -> [String: Any] {
    [
        "tvd": json(d?.tvd), "hellinger": json(d?.hellinger), "kld": json(d?.kld), "psi": json(d?.psi),
        "js": json(d?.jsDistance), "chi2": json(c?.statistic), "dof": c?.degreesOfFreedom ?? NSNull(),
        "chi2_p": json(c?.pValue),
    ]
}

func comparisonObject(_ c: DriftComparison) -> [String: Any] {
    var object = distancesObject(c.distances, c.chiSquare)
    object["count"] = c.count
    object["baseline_count"] = c.baselineCount
    object["ks"] = json(c.ksStatistic)
    object["ks_p"] = json(c.ksPValue)
    object["wasserstein"] = json(c.wasserstein)
    object["drift_score"] = json(c.driftScore)
    object["status"] = c.status.rawValue
    object["labels"] = c.binLabels
    object["actual_counts"] = c.actualBinCounts
    object["baseline_counts"] = c.baselineBinCounts
    object["missing_ratio"] = json(c.missingRatio)
    return object
}

func analysisCommand(_ command: String, _ options: Options) throws -> Any {
    let input = try readJSON()
    switch command {
    case "merge-sketches":
        var merged = try KLLSketch(seed: 3)
        for encoded in (input["sketches"] as? [String]) ?? [] {
            guard let data = Data(base64Encoded: encoded) else { throw InteropError(description: "bad base64") }
            merged.merge(try KLLSketch(serialized: [UInt8](data)))
        }
        return ["sketch": Data(merged.serialized()).base64EncodedString()]

    case "bins":
        let bins = try ReferenceBins(referenceID: "test", trainingValues: doubleArray(input["values"]),
                                     binCount: input["bin_count"] as? Int ?? 20)
        return ["edges": bins.edges, "counts": bins.counts(of: doubleArray(input["points"]))] as [String: Any]

    case "distances":
        do {
            let actual = doubleArray(input["actual"]), baseline = doubleArray(input["baseline"])
            return distancesObject(try BinnedDistances(actual: actual, baseline: baseline),
                                   try ChiSquareTest(actual: actual, baseline: baseline))
        } catch { return errorObject(error) }

    case "survival":
        let chi2 = ((input["chi2"] as? [Any]) ?? []).map(doubleArray).map { ChiSquareTest.survival($0[0], degreesOfFreedom: Int($0[1])) }
        let kolmogorov = doubleArray(input["kolmogorov"]).map(Kolmogorov.survival)
        return ["chi2": chi2, "kolmogorov": kolmogorov] as [String: Any]

    case "compare-numeric":
        let referenceValues = input["reference"].map(doubleArray)
        let bins = try referenceValues.map { try ReferenceBins(referenceID: "ref", trainingValues: $0, binCount: input["bin_count"] as? Int ?? 20) }
        // A fixed seed (default 1) keeps the sketches, and so KS and Wasserstein, reproducible.
        let seed = UInt64(input["seed"] as? Int ?? 1)
        var actual = ColumnProfile(columnName: "x", statistics: .numeric(try NumericProfile(bins: bins, seed: seed)))
        var baseline = ColumnProfile(columnName: "x", statistics: .numeric(try NumericProfile(bins: bins, seed: seed &+ 1)))
        for x in doubleArray(input["actual"]) { try actual.add(x) }
        for x in doubleArray(input["baseline"]) { try baseline.add(x) }
        let binning: DriftComparison.Binning = bins.map { .numeric($0) } ?? .fromBaseline(binCount: input["bin_count"] as? Int ?? 20)
        do {
            var object = comparisonObject(try DriftComparison(actual: actual, baseline: baseline, binning: binning))
            object["edges"] = bins?.edges ?? NSNull()
            return object
        } catch { return errorObject(error) }

    case "compare-categorical":
        var actual = ColumnProfile.categorical("c"), baseline = ColumnProfile.categorical("c")
        for value in stringArray(input["actual"]) { try actual.add(category: value) }
        for value in stringArray(input["baseline"]) { try baseline.add(category: value) }
        let reference = (input["reference_categories"] as? [String])
        let binning: DriftComparison.Binning = reference.map { .categories($0) } ?? .fromBaseline(binCount: 0)
        do { return comparisonObject(try DriftComparison(actual: actual, baseline: baseline, binning: binning)) } catch { return errorObject(error) }

    case "categories":
        let values = stringArray(input["values"])
        let pieces = input["pieces"] as? Int ?? 1
        var generator = SplitMix64(seed: UInt64(pieces))
        let size = Swift.max(1, (values.count + pieces - 1) / pieces)
        var parts = stride(from: 0, to: values.count, by: size).map { start -> CategoryCounts in
            var counts = CategoryCounts()
            for value in values[start..<Swift.min(start + size, values.count)] { counts.add(value) }
            return counts
        }
        parts.shuffle(using: &generator)
        var merged = CategoryCounts()
        for part in parts { merged.merge(part) }
        let fields = merged.rowFields
        return ["categories": fields.categories, "counts": fields.counts, "missing": merged.missingCount] as [String: Any]

    case "classification":
        let classes = (input["classes"] as? [String]) ?? []
        let labels = stringArray(input["labels"])
        let probabilities = ((input["probabilities"] as? [Any]) ?? []).map(doubleArray)
        let threshold = doubleValue(input["threshold"])
        var confusion = CategoryCounts()
        var predictions: [String] = [], pred1: [Double] = [], spread12: [Double] = []
        for (row, label) in zip(probabilities, labels) {
            guard let derived = DerivedColumns.classify(probabilities: row, threshold: threshold) else { continue }
            let prediction = classes[derived.predictedIndex]
            predictions.append(prediction)
            pred1.append(derived.pred1)
            spread12.append(derived.spread12)
            if let label { confusion.add(DerivedColumns.confusionValue(label: label, prediction: prediction)) }
        }
        let matrix = try ConfusionMatrix(classes: classes, confusion: confusion)
        var object: [String: Any] = ["predictions": predictions, "pred1": pred1, "spread12": spread12]
        if let m = ClassificationMetrics(matrix) {
            object["metrics"] = [
                "accuracy": m.accuracy, "precision_macro": m.precisionMacro, "recall_macro": m.recallMacro,
                "f1_macro": m.f1Macro, "precision_weighted": m.precisionWeighted, "recall_weighted": m.recallWeighted,
                "f1_weighted": m.f1Weighted, "labeled": m.labeled,
            ] as [String: Any]
        }
        if let b = BinaryMetrics(matrix) {
            object["binary"] = ["precision": b.precision, "recall": b.recall, "f1": b.f1, "accuracy": b.accuracy] as [String: Any]
        }
        return object

    case "regression":
        let labels = doubleArray(input["labels"]), predictions = doubleArray(input["predictions"])
        let pieces = input["pieces"] as? Int ?? 1
        let size = Swift.max(1, (labels.count + pieces - 1) / pieces)
        var residual = NumericMoments(), absolute = NumericMoments(), label = NumericMoments()
        for start in stride(from: 0, to: labels.count, by: size) {
            var r = NumericMoments(), a = NumericMoments(), l = NumericMoments()
            for i in start..<Swift.min(start + size, labels.count) {
                let derived = DerivedColumns.residuals(prediction: predictions[i], label: labels[i])
                r.add(derived.residual)
                a.add(derived.absoluteResidual)
                l.add(labels[i])
            }
            residual.merge(r)
            absolute.merge(a)
            label.merge(l)
        }
        guard let m = RegressionMetrics(residual: residual, absoluteResidual: absolute, label: label) else { return ["metrics": NSNull()] }
        return ["mae": m.mae, "rmse": m.rmse, "r2": m.r2] as [String: Any]

    default:
        throw InteropError(description: "unknown command \(command)")
    }
}
