import Driftline

/// KServe's v1 protocol: a request `{"instances": [row, ...]}`, a row being an array of feature values in
/// the model's order, an object of values by feature name, or a bare value for a one-feature model; a
/// response `{"predictions": [answer, ...]}`, one answer per instance, read as the endpoint's `output` says.
enum KServeV1 {
    static func instances(_ reader: inout JSONReader, mapping: EndpointMapping) throws -> [[FeatureValue]] {
        guard try reader.peekKind() == .array else { throw RequestRejection.shape("instances", "must be an array of rows") }
        var rows: [[FeatureValue]] = []
        var more = try reader.beginArray()
        while more {
            let field = "instances[\(rows.count)]"
            guard rows.count < InferencePayload.maxRows else { throw RequestRejection.shape("instances", "more than \(InferencePayload.maxRows) rows; split the request") }
            switch try reader.peekKind() {
            case .array:
                var row: [FeatureValue] = []
                row.reserveCapacity(mapping.featureCount)
                var next = try reader.beginArray()
                while next {
                    guard let value = try reader.readFeatureValue() else {
                        throw RequestRejection.shape("\(field)[\(row.count)]", "a feature value must be a number, a string, a boolean or null")
                    }
                    row.append(value)
                    next = try reader.nextElement()
                }
                rows.append(row)
            case .object:
                rows.append(try namedRow(&reader, mapping: mapping, field: field))
            default:
                guard let value = try reader.readFeatureValue() else { throw RequestRejection.shape(field, "expected a row") }
                rows.append([value])
            }
            more = try reader.nextElement()
        }
        return rows
    }

    /// A row given as `{"feature": value, ...}`; a feature left out is missing (NaN).
    static func namedRow(_ reader: inout JSONReader, mapping: EndpointMapping, field: String) throws -> [FeatureValue] {
        var row = [FeatureValue](repeating: .missing, count: mapping.featureCount)
        var key = try reader.beginObject()
        while let name = key {
            guard let index = mapping.featureIndex[name] else {
                throw RequestRejection(
                    status: 400, code: "invalid_record", field: "\(field).\(name)",
                    message: "\(field).\(name): not a feature of endpoint \(mapping.name) (its features: \(mapping.config.features.joined(separator: ", ")))")
            }
            guard let value = try reader.readFeatureValue() else {
                throw RequestRejection.shape("\(field).\(name)", "a feature value must be a number, a string, a boolean or null")
            }
            row[index] = value
            key = try reader.nextKey()
        }
        return row
    }

    static func predictions(_ reader: inout JSONReader, mapping: EndpointMapping) throws -> [InferenceRecord.Outcome] {
        guard try reader.peekKind() == .array else { throw RequestRejection.shape("predictions", "must be an array, one answer per instance") }
        var outcomes: [InferenceRecord.Outcome] = []
        var more = try reader.beginArray()
        while more {
            let field = "predictions[\(outcomes.count)]"
            guard outcomes.count < InferencePayload.maxRows else { throw RequestRejection.shape("predictions", "more than \(InferencePayload.maxRows) answers") }
            var values: [FeatureValue] = []
            try reader.readFlattened(into: &values, field: field)
            outcomes.append(try outcome(values, mapping: mapping, field: field))
            more = try reader.nextElement()
        }
        return outcomes
    }

    /// One row's answer from its values, as the endpoint's `output` says.
    static func outcome(_ values: [FeatureValue], mapping: EndpointMapping, field: String) throws(RequestRejection) -> InferenceRecord.Outcome {
        switch mapping.output {
        case .probabilities:
            var probabilities: [Double] = []
            probabilities.reserveCapacity(values.count)
            for (i, value) in values.enumerated() {
                guard case .number(let p) = value else {
                    throw RequestRejection.shape("\(field)[\(i)]", "a probability must be a number")
                }
                probabilities.append(p)
            }
            return .probabilities(probabilities)
        case .classIndex:
            guard values.count == 1, case .number(let index) = values[0] else {
                throw RequestRejection.shape(field, "expected one class index (output: class_index), got \(values.count) values")
            }
            return try mapping.classIndexOutcome(index, field: field)
        case .className:
            guard values.count == 1, case .string(let name) = values[0] else {
                throw RequestRejection.shape(field, "expected one class name (output: class_name)")
            }
            return try mapping.classNameOutcome(name, field: field)
        case .value:
            guard values.count == 1, case .number(let value) = values[0] else {
                throw RequestRejection.shape(field, "expected one predicted number (output: value), got \(values.count) values")
            }
            return .prediction(value)
        }
    }
}
