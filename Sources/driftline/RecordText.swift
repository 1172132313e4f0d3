import DriftlineCore
import DriftlineLog
import Foundation

/// How `inspect` prints batches and records: aligned text for people, one JSON object per line for tools.
enum RecordText {
    // MARK: - Human

    static func human(batch: RecordBatch, partition: LogDirectory.Partition) -> String {
        let h = batch.header
        let segment = URL(fileURLWithPath: batch.segmentPath).lastPathComponent
        return "batch \(partition) offset \(batch.firstOffset) count \(h.recordCount) "
            + "time \(h.firstTimestamp.iso8601)..\(h.maxTimestamp.iso8601) "
            + "stored \(h.totalLength) B (records \(h.uncompressedLength) B) model \(batch.manifest.modelVersion) at \(segment)@\(batch.position)"
    }

    static func human(record: LogRecord, offset: Int64, schema: ModelSchema) -> String {
        switch record {
        case .inference(let r):
            var text = "  #\(offset) \(r.timestamp.iso8601)"
            if !r.requestID.isEmpty { text += " id=\(r.requestID)" }
            let features = zip(schema.features, r.features).map { "\($0.name)=\(valueText($1))" }.joined(separator: " ")
            text += " [\(features)]"
            switch r.outcome {
            case .probabilities(let p):
                let classes = schema.task.classes
                text += " -> \(predictedClass(p, schema: schema) ?? "?") ("
                    + zip(classes, p).map { "\($0)=\(shortNumber($1))" }.joined(separator: " ") + ")"
            case .prediction(let value): text += " -> \(shortNumber(value))"
            case .error(let code): text += " -> error \(code)"
            }
            text += " latency=\(r.latencyMicroseconds)us"
            if let label = r.label { text += " label=\(label)" }
            return text
        case .label(let l):
            return "  #\(offset) \(l.timestamp.iso8601) label id=\(l.requestID) \(l.label)"
        }
    }

    static func valueText(_ value: FeatureValue) -> String {
        switch value {
        case .number(let x): return x.isNaN ? "NaN" : shortNumber(x)
        case .string(let s): return s.debugDescription
        }
    }

    static func shortNumber(_ x: Double) -> String {
        if x == x.rounded(), abs(x) < 1e15 { return String(Int64(x)) }
        return String(format: "%.6g", x)
    }

    /// Multiclass: arg-max (first on ties); binary: positive when P(positive) ≥ threshold.
    static func predictedClass(_ p: [Double], schema: ModelSchema) -> String? {
        let classes = schema.task.classes
        guard p.count == classes.count, !p.isEmpty else { return nil }
        if case .binaryClassification(_, let threshold) = schema.task { return p[1] >= threshold ? classes[1] : classes[0] }
        var best = 0
        for i in p.indices where p[i] > p[best] { best = i }
        return classes[best]
    }

    // MARK: - JSON lines

    /// `inspect --json`'s lines: members sorted by name, no whitespace, a non-finite number as `null`.
    static let lineFormat = JSONFormat(layout: .compact, sortsKeys: true)

    static func json(batch: RecordBatch, partition: LogDirectory.Partition) -> String {
        let h = batch.header
        return line([
            "type": .string("batch"), "endpoint": .string(partition.endpoint), "writer_id": .string(partition.writerID),
            "model_version": .string(batch.manifest.modelVersion),
            "base_offset": .int(batch.firstOffset), "count": .int(Int64(h.recordCount)),
            "first_timestamp": .string(h.firstTimestamp.iso8601), "max_timestamp": .string(h.maxTimestamp.iso8601),
            "stored_bytes": .int(Int64(h.totalLength)), "uncompressed_bytes": .int(Int64(h.uncompressedLength)),
            "segment": .string(URL(fileURLWithPath: batch.segmentPath).lastPathComponent), "position": .int(Int64(batch.position)),
        ])
    }

    static func json(record: LogRecord, offset: Int64, partition: LogDirectory.Partition, schema: ModelSchema) -> String {
        var object: [String: JSONValue] = ["endpoint": .string(partition.endpoint), "writer_id": .string(partition.writerID), "offset": .int(offset)]
        switch record {
        case .inference(let r):
            object["type"] = .string("inference")
            object["timestamp"] = .string(r.timestamp.iso8601)
            object["timestamp_us"] = .int(r.timestamp.microsecondsSinceEpoch)
            object["request_id"] = r.requestID.isEmpty ? .null : .string(r.requestID.description)
            var features: [String: JSONValue] = [:]
            for (feature, value) in zip(schema.features, r.features) {
                switch value {
                case .number(let x): features[feature.name] = .double(x)
                case .string(let s): features[feature.name] = .string(s)
                }
            }
            object["features"] = .object(features)
            switch r.outcome {
            case .probabilities(let p):
                object["probabilities"] = .object(Dictionary(zip(schema.task.classes, p.map { JSONValue.double($0) })) { a, _ in a })
                object["prediction"] = .optional(predictedClass(p, schema: schema))
            case .prediction(let value): object["prediction"] = .double(value)
            case .error(let code): object["error"] = .string(code)
            }
            object["latency_us"] = .int(Int64(r.latencyMicroseconds))
            object["label"] = labelValue(r.label)
        case .label(let l):
            object["type"] = .string("label")
            object["timestamp"] = .string(l.timestamp.iso8601)
            object["timestamp_us"] = .int(l.timestamp.microsecondsSinceEpoch)
            object["request_id"] = .string(l.requestID.description)
            object["label"] = labelValue(l.label)
        }
        return line(object)
    }

    static func labelValue(_ label: Label?) -> JSONValue {
        switch label {
        case nil: return .null
        case .className(let name)?: return .string(name)
        case .value(let value)?: return .double(value)
        }
    }

    static func json(event: String, partition: LogDirectory.Partition, detail: [String: JSONValue]) -> String {
        line(detail.merging(["type": .string(event), "endpoint": .string(partition.endpoint), "writer_id": .string(partition.writerID)]) { a, _ in a })
    }

    static func line(_ object: [String: JSONValue]) -> String {
        JSONValue.object(object).text(lineFormat)
    }
}
