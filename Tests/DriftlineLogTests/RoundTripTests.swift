import DriftlineCore
import DriftlineLog
import Foundation
import Testing

@Suite struct RoundTripTests {
    enum Kind: String, CaseIterable, Sendable { case binary, multiclass, regression }

    static func schema(_ kind: Kind) throws -> ModelSchema {
        switch kind {
        case .binary:
            return try ModelSchema(features: [.numeric("amount"), .categorical("country"), .numeric("age")],
                                   task: .binaryClassification(classes: ["legit", "fraud"], threshold: 0.3))
        case .multiclass:
            return Sample.schema
        case .regression:
            return try ModelSchema(features: [.categorical("city"), .numeric("rooms"), .numeric("area")], task: .regression)
        }
    }

    /// Records with awkward doubles (subnormals, -0, NaN features, 0.1+0.2), categories, errors, inline and delayed labels.
    static func records(_ kind: Kind, count: Int) -> [LogRecord] {
        var generator = SplitMix(seed: 42)
        let awkward: [Double] = [-0.0, 0.1 + 0.2, .leastNonzeroMagnitude, -.greatestFiniteMagnitude, .nan, .leastNormalMagnitude / 4, .pi]
        return (0..<count).map { i in
            let t = Timestamp(microsecondsSinceEpoch: 1_763_900_000_000_000 + Int64(i) * 997)
            let id = (try? RequestID("id-\(i)")) ?? .none
            let x = i % 3 == 0 ? awkward[i % awkward.count] : Double(bitPattern: generator.next() >> 2)
            let category: FeatureValue = i % 4 == 0 ? .missing : .string(["NO", "Zürich", "", "東京"][i % 4])
            let classes = kind == .binary ? ["legit", "fraud"] : ["setosa", "versicolor", "virginica"]
            if i % 9 == 8 {
                let label: Label = kind == .regression ? .value(Double(i) / 3) : .className(classes[i % classes.count])
                return .label(LabelRecord(timestamp: t, requestID: id, label: label))
            }
            let features: [FeatureValue]
            switch kind {
            case .binary: features = [.number(x), category, .number(Double(i))]
            case .multiclass: features = [.number(x), .number(Double(i) / 7), category]
            case .regression: features = [category, .number(Double(i % 5)), .number(x)]
            }
            let outcome: InferenceRecord.Outcome
            if i % 13 == 12 {
                outcome = .error("upstream_timeout")
            } else if kind == .regression {
                outcome = .prediction(Double(i) * 1.000_000_1)
            } else {
                let p = Double(i % 100) / 100
                outcome = .probabilities(kind == .binary ? [1 - p, p] : [p / 3, p / 3, 1 - 2 * p / 3])
            }
            let inline: Label? = i % 5 == 0 ? (kind == .regression ? .value(-0.0) : .className(classes[0])) : nil
            return .inference(InferenceRecord(timestamp: t, requestID: id, features: features, outcome: outcome,
                                              latencyMicroseconds: Int64(i * 31), label: inline))
        }
    }

    /// Bit patterns of every double in a record, so -0.0 vs 0.0 or NaN payload changes would be caught.
    static func bits(_ record: LogRecord) -> [UInt64] {
        switch record {
        case .label(let l):
            if case .value(let v) = l.label { return [v.bitPattern] }
            return []
        case .inference(let r):
            var out: [UInt64] = r.features.compactMap { if case .number(let v) = $0 { return v.bitPattern } else { return nil } }
            switch r.outcome {
            case .probabilities(let p): out += p.map(\.bitPattern)
            case .prediction(let v): out.append(v.bitPattern)
            case .error: break
            }
            if case .value(let v)? = r.label { out.append(v.bitPattern) }
            return out
        }
    }

    @Test(arguments: Kind.allCases)
    func everythingWrittenIsReadBackIdentical(_ kind: Kind) throws {
        try withTemporaryFolder { log in
            let schema = try Self.schema(kind)
            let records = Self.records(kind, count: 2_000)
            var options = PartitionWriter.Options()
            options.segmentBytes = 32 << 10
            let writer = try PartitionWriter(logDirectory: log, endpoint: kind.rawValue, writerID: "w", modelVersion: "7",
                                             schema: schema, options: options)
            var start = 0
            var size = 1
            while start < records.count {
                let end = min(records.count, start + size)
                try writer.append(Array(records[start..<end]))
                start = end
                size = size % 97 + 13
            }
            try writer.sync()
            #expect(SegmentWalk.segments(writer.folder).count > 1)
            let outcome = try readToEnd(writer.folder)
            #expect(outcome.records == records)
            #expect(outcome.records.map(Self.bits) == records.map(Self.bits))
            #expect(outcome.corruption.isEmpty && outcome.gaps.isEmpty)
        }
    }
}
