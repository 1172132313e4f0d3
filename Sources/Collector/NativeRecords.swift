import Driftline

/// One record of a native request, decoded but not yet validated by the logger.
struct NativeItem: Sendable {
    /// Its position in the request (0-based), for the answer's `rejected` list.
    var index: Int
    /// The model version it names, or nil for the endpoint's.
    var modelVersion: String?
    var record: LogRecord
}

/// The native JSON of `POST /v1/endpoints/{endpoint}/records` and `/labels`: a JSON array of objects, or JSON
/// lines (one object per line; a single object is one line).
///
/// A record: `features` (an object by feature name, or an array in the model's order), `probabilities` (an
/// object by class name, or an array in class order) or `prediction` (a number for a regression, a class
/// name for a classifier) or `error` (a short code), and optionally `request_id`, `latency_ms`, `event_time`
/// (epoch seconds or RFC 3339), `label`, `model_version`. A label: `request_id`, `label`, optionally
/// `event_time`, `model_version`. Unknown members are refused by name: a misspelt one would otherwise be lost.
enum NativeRecords {
    static let recordKeys = ["features", "probabilities", "prediction", "error", "request_id", "latency_ms", "event_time", "label", "model_version"]
    static let labelKeys = ["request_id", "label", "event_time", "model_version"]
    /// The most records one request may carry.
    static let maxRecords = 100_000

    /// Splits a body into its records: the elements of a JSON array, or its non-blank lines.
    /// A body whose array cannot be split is malformed as a whole; a malformed line is that line's problem.
    static func split(_ bytes: UnsafeRawBufferPointer) throws(RequestRejection) -> [Range<Int>] {
        var reader = JSONReader(bytes)
        if reader.peekByte() == UInt8(ascii: "[") {
            var slices: [Range<Int>] = []
            do throws(PayloadSyntaxError) {
                var more = try reader.beginArray()
                while more {
                    reader.skipWhitespace()
                    let start = reader.offset
                    try reader.skipValue()
                    slices.append(start..<reader.offset)
                    guard slices.count <= maxRecords else {
                        throw reader.error("more than \(maxRecords) records; split the request")
                    }
                    more = try reader.nextElement()
                }
                guard reader.isAtEnd() else { throw reader.error("unexpected text after the array") }
            } catch {
                throw RequestRejection.malformed(error, in: "the body (a JSON array of records)")
            }
            return slices
        }
        var slices: [Range<Int>] = []
        var start = 0
        for index in 0...bytes.count where index == bytes.count || bytes[index] == UInt8(ascii: "\n") {
            let line = start..<index
            start = index + 1
            if line.contains(where: { !(bytes[$0] == 0x20 || bytes[$0] == 0x09 || bytes[$0] == 0x0D) }) {
                slices.append(line)
                guard slices.count <= maxRecords else {
                    throw RequestRejection(status: 413, code: "too_large", message: "more than \(maxRecords) records; split the request")
                }
            }
        }
        return slices
    }

    /// An inference record from one JSON object.
    static func record(_ bytes: UnsafeRawBufferPointer, index: Int, mapping: EndpointMapping) throws(RequestRejection) -> NativeItem {
        try decodeJSON(bytes, what: "record \(index)") { reader in
            guard try reader.peekKind() == .object else { throw RequestRejection.shape("record", "must be a JSON object") }
            var features: [FeatureValue]?
            var outcome: InferenceRecord.Outcome?
            var requestID = RequestID.none
            var latency: Int64 = 0
            var timestamp: Timestamp?
            var label: Label?
            var version: String?
            var key = try reader.beginObject()
            while let name = key {
                switch name {
                case "features": features = try self.features(&reader, mapping: mapping)
                case "probabilities": outcome = .probabilities(try probabilities(&reader, mapping: mapping))
                case "prediction":
                    switch try reader.peekKind() {
                    case .string: outcome = try mapping.classNameOutcome(try reader.readString(), field: "prediction")
                    case .number: outcome = .prediction(try reader.readNumber())
                    default: throw invalid("prediction", "a number (regression) or a class name (classification)")
                    }
                case "error": outcome = .error(try string(&reader, "error"))
                case "request_id": requestID = try self.requestID(&reader)
                case "latency_ms": latency = try latencyMicroseconds(&reader)
                case "event_time": timestamp = try eventTime(&reader)
                case "label": label = try self.label(&reader)
                case "model_version": version = try string(&reader, "model_version")
                default: throw unknown(name, known: recordKeys)
                }
                key = try reader.nextKey()
            }
            guard let features else { throw invalid("features", "present: the model's inputs, by name or in order") }
            guard let outcome else { throw invalid("probabilities", "present: probabilities, prediction or error") }
            let record = InferenceRecord(
                timestamp: timestamp ?? .now(), requestID: requestID, features: features, outcome: outcome,
                latencyMicroseconds: latency, label: label)
            return NativeItem(index: index, modelVersion: version, record: .inference(record))
        }
    }

    /// A delayed label from one JSON object.
    static func label(_ bytes: UnsafeRawBufferPointer, index: Int) throws(RequestRejection) -> NativeItem {
        try decodeJSON(bytes, what: "label \(index)") { reader in
            guard try reader.peekKind() == .object else { throw RequestRejection.shape("label", "must be a JSON object") }
            var requestID: RequestID?
            var label: Label?
            var timestamp: Timestamp?
            var version: String?
            var key = try reader.beginObject()
            while let name = key {
                switch name {
                case "request_id": requestID = try self.requestID(&reader)
                case "label": label = try self.label(&reader)
                case "event_time": timestamp = try eventTime(&reader)
                case "model_version": version = try string(&reader, "model_version")
                default: throw unknown(name, known: labelKeys)
                }
                key = try reader.nextKey()
            }
            guard let requestID else { throw invalid("request_id", "present: the id of the inference this label is for") }
            guard let label else { throw invalid("label", "present: a class name, or a number for a regression") }
            let record = LabelRecord(timestamp: timestamp ?? .now(), requestID: requestID, label: label)
            return NativeItem(index: index, modelVersion: version, record: .label(record))
        }
    }

    // MARK: - Members

    static func invalid(_ field: String, _ expected: String) -> RequestRejection {
        RequestRejection(status: 400, code: "invalid_record", field: field, message: "\(field): expected \(expected)")
    }

    static func unknown(_ name: String, known: [String]) -> RequestRejection {
        RequestRejection(status: 400, code: "invalid_record", field: name, message: "unknown member \(name.debugDescription) (known: \(known.joined(separator: ", "))); check its spelling")
    }

    static func string(_ reader: inout JSONReader, _ field: String) throws -> String {
        guard try reader.peekKind() == .string else { throw invalid(field, "a string") }
        return try reader.readString()
    }

    static func features(_ reader: inout JSONReader, mapping: EndpointMapping) throws -> [FeatureValue] {
        switch try reader.peekKind() {
        case .object: return try KServeV1.namedRow(&reader, mapping: mapping, field: "features")
        case .array:
            var row: [FeatureValue] = []
            row.reserveCapacity(mapping.featureCount)
            var more = try reader.beginArray()
            while more {
                guard let value = try reader.readFeatureValue() else { throw invalid("features[\(row.count)]", "a number, a string or null") }
                row.append(value)
                more = try reader.nextElement()
            }
            return row
        default: throw invalid("features", "an object of values by feature name, or an array in the model's order")
        }
    }

    static func probabilities(_ reader: inout JSONReader, mapping: EndpointMapping) throws -> [Double] {
        switch try reader.peekKind() {
        case .array:
            var values: [Double] = []
            var more = try reader.beginArray()
            while more {
                guard try reader.peekKind() == .number else { throw invalid("probabilities[\(values.count)]", "a number") }
                values.append(try reader.readNumber())
                more = try reader.nextElement()
            }
            return values
        case .object:
            var values = [Double](repeating: .nan, count: mapping.classes.count)
            var key = try reader.beginObject()
            while let name = key {
                guard let index = mapping.schema.classIndex(of: name) else {
                    throw RequestRejection(
                        status: 400, code: "invalid_record", field: "probabilities.\(name)",
                        message: "probabilities.\(name): not one of the model's classes (\(mapping.classes.joined(separator: ", ")))")
                }
                guard try reader.peekKind() == .number else { throw invalid("probabilities.\(name)", "a number") }
                values[index] = try reader.readNumber()
                key = try reader.nextKey()
            }
            return values
        default: throw invalid("probabilities", "an array in class order, or an object by class name")
        }
    }

    static func requestID(_ reader: inout JSONReader) throws -> RequestID {
        let text: String
        switch try reader.peekKind() {
        case .string: text = try reader.readString()
        case .number:
            let number = try reader.readNumber()
            guard number == number.rounded(), abs(number) < 1e15 else { throw invalid("request_id", "a string (or a whole number)") }
            text = String(Int64(number))
        default: throw invalid("request_id", "a string")
        }
        do throws(ValidationError) {
            return try RequestID(text)
        } catch {
            throw RequestRejection(status: 400, code: "invalid_record", field: "request_id", message: error.description)
        }
    }

    static func latencyMicroseconds(_ reader: inout JSONReader) throws -> Int64 {
        guard try reader.peekKind() == .number else { throw invalid("latency_ms", "a number of milliseconds") }
        let milliseconds = try reader.readNumber()
        // Conversion only (the logger judges the value): a latency beyond ±292,000 years cannot be represented.
        guard abs(milliseconds) < 9.2e15 else { throw invalid("latency_ms", "a number of milliseconds below 9.2e15, got \(milliseconds)") }
        return Int64((milliseconds * 1000).rounded())
    }

    static func eventTime(_ reader: inout JSONReader) throws -> Timestamp {
        switch try reader.peekKind() {
        case .number:
            let seconds = try reader.readNumber()
            guard let timestamp = Timestamp(exactlySecondsSinceEpoch: seconds) else { throw invalid("event_time", "epoch seconds or RFC 3339 text, got \(seconds)") }
            return timestamp
        case .string:
            let text = try reader.readString()
            guard let timestamp = Timestamp(parsing: text) else {
                throw invalid("event_time", "epoch seconds (1793589300.25) or RFC 3339 (2026-11-02T03:15:00Z), got \(text.debugDescription)")
            }
            return timestamp
        default: throw invalid("event_time", "epoch seconds or RFC 3339 text")
        }
    }

    static func label(_ reader: inout JSONReader) throws -> Label {
        switch try reader.peekKind() {
        case .string: return .className(try reader.readString())
        case .number: return .value(try reader.readNumber())
        default: throw invalid("label", "a class name, or a number for a regression")
        }
    }
}
