import DriftlineCore
import DriftlineStore
import Profiles
import Testing
@testable import Profiling

@Suite struct RecordProfilerTests {
    static let schema = try! ModelSchema(
        features: [.numeric("x"), .categorical("region")],
        task: .classification(classes: ["a", "b", "c"]))

    static func record(_ x: Double, _ region: FeatureValue, _ p: [Double], latencyMicroseconds: Int64 = 1500,
                       label: Label? = nil) -> InferenceRecord {
        InferenceRecord(timestamp: Timestamp(microsecondsSinceEpoch: 0), features: [.number(x), region],
                        outcome: .probabilities(p), latencyMicroseconds: latencyMicroseconds, label: label)
    }

    @Test func everyColumnOfAClassifierInOrder() {
        let profiler = RecordProfiler(schema: Self.schema)
        #expect(profiler.columns.map(\.name) == [
            "x", "region", ":prediction", ":proba:a", ":proba:b", ":proba:c", ":pred1", ":spread12",
            ":latency_ms", ":error", ":label", ":confusion",
        ])
        #expect(profiler.columns.map(\.kind.rawValue) == [
            "numeric", "categorical", "categorical", "numeric", "numeric", "numeric", "numeric", "numeric",
            "numeric", "categorical", "categorical", "categorical",
        ])
    }

    @Test func classifierRecordsFillFeaturesPredictionsAndInlineLabels() throws {
        let profiler = RecordProfiler(schema: Self.schema)
        var window = profiler.makeWindow()
        profiler.add(Self.record(1, "eu", [0.7, 0.2, 0.1], label: .className("a")), to: &window)
        profiler.add(Self.record(.nan, .missing, [0.1, 0.3, 0.6], latencyMicroseconds: 500, label: .className("b")), to: &window)
        profiler.add(Self.record(3, "us", [0.4, 0.4, 0.2]), to: &window)
        profiler.add(InferenceRecord(timestamp: Timestamp(microsecondsSinceEpoch: 0), features: [5, "eu"],
                                     outcome: .error("timeout"), latencyMicroseconds: 0), to: &window)
        #expect(window.records == 4)
        #expect(window.labels == 2)

        let x = try #require(window.profile(of: "x")?.numeric)
        #expect(x.moments.count == 3 && x.moments.missingCount == 1)
        #expect(x.moments.mean == 3 && x.moments.min == 1 && x.moments.max == 5)
        let region = try #require(window.profile(of: "region")?.categorical)
        #expect(region.counts == ["eu": 2, "us": 1] && region.missingCount == 1)
        let prediction = try #require(window.profile(of: ":prediction")?.categorical)
        #expect(prediction.counts == ["a": 2, "c": 1] && prediction.missingCount == 1)   // tie 0.4/0.4 → first
        let pred1 = try #require(window.profile(of: ":pred1")?.numeric)
        #expect(pred1.moments.count == 3 && pred1.moments.missingCount == 1)
        #expect(abs(pred1.moments.mean - (0.7 + 0.6 + 0.4) / 3) < 1e-15)
        let spread = try #require(window.profile(of: ":spread12")?.numeric)
        #expect(abs(spread.moments.mean - (0.5 + 0.3 + 0.0) / 3) < 1e-15)
        let probaC = try #require(window.profile(of: ":proba:c")?.numeric)
        #expect(probaC.moments.count == 3 && abs(probaC.moments.mean - 0.3) < 1e-15)
        let latency = try #require(window.profile(of: ":latency_ms")?.numeric)
        #expect(latency.moments.count == 4 && abs(latency.moments.mean - (1.5 + 0.5 + 1.5 + 0) / 4) < 1e-15)
        let error = try #require(window.profile(of: ":error")?.categorical)
        #expect(error.counts == ["ok": 3, "timeout": 1])
        let label = try #require(window.profile(of: ":label")?.categorical)
        #expect(label.counts == ["a": 1, "b": 1] && label.missingCount == 0)
        let confusion = try #require(window.profile(of: ":confusion")?.categorical)
        #expect(confusion.counts == ["a|a": 1, "b|c": 1])
    }

    @Test func binaryModelsUseTheThreshold() throws {
        let schema = try ModelSchema(features: [.numeric("x")], task: .classification(classes: ["no", "yes"], threshold: 0.3))
        let profiler = RecordProfiler(schema: schema)
        var window = profiler.makeWindow()
        profiler.add(InferenceRecord(timestamp: .init(microsecondsSinceEpoch: 0), features: [1], outcome: .probabilities([0.65, 0.35])), to: &window)
        profiler.add(InferenceRecord(timestamp: .init(microsecondsSinceEpoch: 0), features: [1], outcome: .probabilities([0.8, 0.2])), to: &window)
        let prediction = try #require(window.profile(of: ":prediction")?.categorical)
        #expect(prediction.counts == ["yes": 1, "no": 1])
    }

    @Test func delayedLabelsAddOnlyLabelColumns() throws {
        let profiler = RecordProfiler(schema: Self.schema)
        let prediction = profiler.prediction(of: Self.record(1, "eu", [0.2, 0.5, 0.3]))
        #expect(prediction == .classIndex(1))
        var window = profiler.makeWindow()
        profiler.addLabel(.className("c"), prediction: prediction, to: &window)
        profiler.addLabel(.className("b"), prediction: .failed, to: &window)
        profiler.addLabel(.className("zzz"), prediction: prediction, to: &window)
        let rows = window.rows(endpoint: "e", modelVersion: "1", windowStart: .init(microsecondsSinceEpoch: 0),
                               windowEnd: .init(microsecondsSinceEpoch: 300_000_000))
        #expect(rows.map(\.columnName) == [":label", ":confusion"])
        #expect(rows[0].categories == ["b", "c"] && rows[0].categoryCounts == [1, 1] && rows[0].missingCount == 1)
        #expect(rows[1].categories == ["c|b"] && rows[1].count == 1 && rows[1].missingCount == 2)
        #expect(rows.allSatisfy { $0.windowEndMicroseconds == 300_000_000 })
    }

    @Test func regressionHasResidualsAndNoProbabilities() throws {
        let schema = try ModelSchema(features: [.numeric("x")], task: .regression)
        let profiler = RecordProfiler(schema: schema)
        #expect(profiler.columns.map(\.name) == ["x", ":prediction", ":latency_ms", ":error", ":label", ":residual", ":abs_residual"])
        var window = profiler.makeWindow()
        profiler.add(InferenceRecord(timestamp: .init(microsecondsSinceEpoch: 0), features: [1], outcome: .prediction(2.5), label: .value(3)), to: &window)
        profiler.addLabel(.value(1), prediction: .value(4), to: &window)
        let residual = try #require(window.profile(of: ":residual")?.numeric)
        #expect(residual.moments.mean == (-0.5 + 3) / 2 && residual.moments.min == -0.5)
        let absolute = try #require(window.profile(of: ":abs_residual")?.numeric)
        #expect(absolute.moments.mean == (0.5 + 3) / 2)
        let prediction = try #require(window.profile(of: ":prediction")?.numeric)
        #expect(prediction.moments.count == 1 && prediction.moments.mean == 2.5)
    }

    /// A labelled record whose model failed used to put its label in `:label` but no residual, so the counts
    /// disagreed and MAE, RMSE and R² were null for the whole hour. The metrics cover the answered records.
    @Test func aFailedLabelledRecordLeavesRegressionMetricsDefined() throws {
        let schema = try ModelSchema(features: [.numeric("x")], task: .regression)
        let profiler = RecordProfiler(schema: schema)
        var window = profiler.makeWindow()
        let time = Timestamp(microsecondsSinceEpoch: 0)
        profiler.add(InferenceRecord(timestamp: time, features: [1], outcome: .prediction(2.5), label: .value(3)), to: &window)
        profiler.add(InferenceRecord(timestamp: time, features: [2], outcome: .prediction(5), label: .value(4)), to: &window)
        profiler.add(InferenceRecord(timestamp: time, features: [3], outcome: .error("timeout"), label: .value(100)), to: &window)
        profiler.addLabel(.value(7), prediction: .value(6), to: &window)
        profiler.addLabel(.value(50), prediction: .failed, to: &window)
        let residual = try #require(window.profile(of: ":residual")?.numeric?.moments)
        let absolute = try #require(window.profile(of: ":abs_residual")?.numeric?.moments)
        let label = try #require(window.profile(of: ":label")?.numeric?.moments)
        #expect(label.count == 3 && label.missingCount == 2)
        let metrics = try #require(RegressionMetrics(residual: residual, absoluteResidual: absolute, label: label))
        // sklearn on y_true [3, 4, 7], y_pred [2.5, 5, 6]: MAE 0.8333…, RMSE sqrt(2.25/3), R² 1 − 2.25/8.6667.
        #expect(metrics.count == 3)
        #expect(abs(metrics.mae - 2.5 / 3) < 1e-12)
        #expect(abs(metrics.rmse - (2.25 / 3).squareRoot()) < 1e-12)
        #expect(abs(metrics.r2 - (1 - 2.25 / (26.0 / 3))) < 1e-12)
    }

    @Test func referenceBinsGiveHistogramsAndReferenceID() throws {
        let bins = try ReferenceBins(referenceID: "ref-1", edges: [0, 10])
        let profiler = RecordProfiler(schema: Self.schema, bins: ["x": bins])
        var window = profiler.makeWindow()
        for x in [-1.0, 0, 5, 10, 20, .nan] { profiler.add(Self.record(x, "eu", [1, 0, 0]), to: &window) }
        let rows = window.rows(endpoint: "e", modelVersion: "1", windowStart: .init(microsecondsSinceEpoch: 0), windowEnd: .init(microsecondsSinceEpoch: 1))
        let x = try #require(rows.first { $0.columnName == "x" })
        #expect(x.histogram == [1, 2, 2] && x.referenceID == "ref-1")
        #expect(rows.first { $0.columnName == ":pred1" }?.histogram == nil)
    }

    @Test func windowsMergeToTheSameProfileAsOneWindow() throws {
        let profiler = RecordProfiler(schema: Self.schema)
        var whole = profiler.makeWindow(), first = profiler.makeWindow(), second = profiler.makeWindow()
        for i in 0..<1000 {
            let record = Self.record(Double(i % 37), i % 3 == 0 ? "eu" : "us", [0.5, 0.25, 0.25], label: i % 2 == 0 ? .className("a") : nil)
            profiler.add(record, to: &whole)
            if i < 400 { profiler.add(record, to: &first) } else { profiler.add(record, to: &second) }
        }
        try first.merge(second)
        let a = whole.columnProfiles(), b = first.columnProfiles()
        #expect(a.map(\.columnName) == b.map(\.columnName))
        for (p, q) in zip(a, b) {
            #expect(p.count == q.count && p.missingCount == q.missingCount)
            if let pn = p.numeric, let qn = q.numeric {
                #expect(abs(pn.moments.mean - qn.moments.mean) <= 1e-12 * max(1, abs(pn.moments.mean)))
            }
            #expect(p.categorical == q.categorical)
        }
    }

    /// With 20 classes there are 400 (label, prediction) cells, more than a categorical column's default 256
    /// values: every labelled record must still be in the confusion matrix, after the rows are stored,
    /// read back and merged (before, 144 cells fell into `__other__` and accuracy lost those records).
    @Test func confusionOfManyClassesStaysExactThroughRowsAndMerges() throws {
        let classes = (0..<20).map { "c\($0)" }
        let schema = try ModelSchema(features: [.numeric("x")], task: .classification(classes: classes))
        let profiler = RecordProfiler(schema: schema)
        var windows = [profiler.makeWindow(), profiler.makeWindow()]
        var correct = 0
        for i in 0..<2000 {
            let predicted = i % 20, truth = (i / 20) % 20
            var p = [Double](repeating: 0.01, count: 20)
            p[predicted] = 0.81
            let record = InferenceRecord(timestamp: Timestamp(microsecondsSinceEpoch: 0), features: [.number(Double(i))],
                                         outcome: .probabilities(p), latencyMicroseconds: 1, label: .className(classes[truth]))
            profiler.add(record, to: &windows[i % 2])
            if predicted == truth { correct += 1 }
        }
        // Through the store's row shape: each window's :confusion row decodes and the two merge.
        var merged = CategoryCounts()
        for window in windows {
            let row = try #require(window.rows(endpoint: "e", modelVersion: "1", windowStart: .init(microsecondsSinceEpoch: 0),
                                               windowEnd: .init(microsecondsSinceEpoch: 300_000_000))
                .first { $0.columnName == ":confusion" })
            let counts = try #require(try ColumnProfile(row: row).categorical)
            merged.merge(counts)
        }
        #expect(merged.otherCount == 0)
        #expect(merged.counts.count == 400)
        let matrix = try ConfusionMatrix(classes: classes, confusion: merged)
        #expect(matrix.total == 2000)
        let metrics = try #require(ClassificationMetrics(matrix))
        #expect(abs(metrics.accuracy - Double(correct) / 2000) < 1e-12)
        let prediction = try #require(windows[0].profile(of: ":prediction")?.categorical)
        #expect(prediction.otherCount == 0 && prediction.counts.count == 10)
    }
}

/// Huge values (DriftlineCore's ValueRange) and extreme times in window arithmetic.
@Suite struct InputRulesProfilingTests {
    @Test func theBoundIsTheSameInProfilesAndDriftlineCore() {
        #expect(NumericProfile.maxMagnitude == ValueRange.maxMagnitude)
    }

    @Test func hugeValuesAreMissingAndCountedNeverInTheMoments() throws {
        let schema = try ModelSchema(features: [.numeric("x")], task: .regression)
        let profiler = RecordProfiler(schema: schema)
        var window = profiler.makeWindow()
        let t = Timestamp(microsecondsSinceEpoch: 1_795_392_000_000_000)
        for x in [1.0, .greatestFiniteMagnitude, -1e155, 2.0] {
            profiler.add(InferenceRecord(timestamp: t, features: [.number(x)], outcome: .prediction(1e300), label: .value(-1e300)), to: &window)
        }
        let x = try #require(window.profile(of: "x")?.numeric?.moments)
        #expect(x.count == 2 && x.missingCount == 2 && x.mean == 1.5)
        // 2 feature values; per record a prediction, a label and two residuals: 18 out of range.
        #expect(window.outOfRangeValues == 18)
        #expect(window.outOfRangeExample?.column == ":prediction")   // the first record's prediction comes first
        for row in window.rows(endpoint: "e", modelVersion: "1", windowStart: t, windowEnd: t) {
            for value in [row.min, row.max, row.mean, row.m2, row.p50] { if let value { #expect(value.isFinite, "\(row.columnName)") } }
        }
    }

    @Test func manyValuesNearTheBoundKeepAFiniteSpread() {
        var profile = NumericProfile()
        for i in 0..<10_000 { profile.add(i % 2 == 0 ? 1e100 : -1e100) }
        let moments = profile.moments
        #expect(moments.m2.isFinite && moments.mean.isFinite)
        #expect((try? NumericMoments(count: moments.count, missingCount: 0, min: moments.min, max: moments.max, mean: moments.mean, m2: moments.m2)) != nil)
    }

    @Test(arguments: [Int64.max, Int64.min, Int64.min + 1, Int64.max - 1, 0, -1])
    func windowsAtTheEndsOfTime(micros: Int64) throws {
        for length in [Duration.seconds(300), .microseconds(1), .microseconds(Int64.max)] {
            let windows = try TumblingWindows(length: length)
            let start = windows.start(of: Timestamp(microsecondsSinceEpoch: micros))
            let end = windows.end(ofWindowStartingAt: start)
            #expect(start.microsecondsSinceEpoch <= micros)
            #expect(end.microsecondsSinceEpoch > micros || end == .distantFuture)
        }
    }
}

/// Outcomes of the wrong kind for the task (found by `tools/fuzz records`): profiled as no prediction, never a trap.
@Suite struct MismatchedOutcomeTests {
    @Test func probabilitiesForARegressionModel() throws {
        let schema = try ModelSchema(features: [.numeric("x")], task: .regression)
        let profiler = RecordProfiler(schema: schema)
        var window = profiler.makeWindow()
        let t = Timestamp(microsecondsSinceEpoch: 1_795_392_000_000_000)
        let prediction = profiler.add(InferenceRecord(timestamp: t, features: [1], outcome: .probabilities([0.2, 0.8]), label: .value(1)), to: &window)
        #expect(prediction == .failed)
        #expect(window.profile(of: ":prediction")?.numeric?.moments.missingCount == 1)
        #expect(window.profile(of: ":residual")?.numeric?.moments.missingCount == 1)
    }

    @Test func aPredictedValueForAClassifier() throws {
        let schema = try ModelSchema(features: [.numeric("x")], task: .classification(classes: ["a", "b", "c"]))
        let profiler = RecordProfiler(schema: schema)
        var window = profiler.makeWindow()
        let t = Timestamp(microsecondsSinceEpoch: 1_795_392_000_000_000)
        profiler.add(InferenceRecord(timestamp: t, features: [1, 2, "extra"], outcome: .prediction(.nan), label: .value(3)), to: &window)
        #expect(window.records == 1)
    }
}
