import Driftline

/// A tensor of the Open Inference Protocol: a name, a shape, a datatype and its values flattened row-major.
struct Tensor: Sendable {
    var name: String
    var shape: [Int]
    var datatype: String
    var values: [FeatureValue]
    /// Where it sits in the body (`inputs[0]`), for messages.
    var field: String

    /// Rows = the first dimension; a scalar or a one-dimensional tensor of a one-row request has 1.
    var rowCount: Int { shape.first ?? 1 }
    /// Values per row.
    var rowWidth: Int { shape.count <= 1 ? 1 : shape.dropFirst().reduce(1, *) }
}

/// The Open Inference Protocol (KServe v2) over JSON: `inputs`/`outputs` are arrays of tensors
/// `{"name", "shape", "datatype", "data"}` whose data is flattened row-major (nested arrays are accepted and
/// flattened). `BYTES` tensors carry strings. The binary tensor data extension is not supported.
enum OpenInferenceV2 {
    static let datatypes: Set<String> = [
        "BOOL", "UINT8", "UINT16", "UINT32", "UINT64", "INT8", "INT16", "INT32", "INT64", "FP16", "FP32", "FP64", "BF16", "BYTES",
    ]

    static func tensors(_ reader: inout JSONReader, field: String) throws -> [Tensor] {
        guard try reader.peekKind() == .array else { throw RequestRejection.shape(field, "must be an array of tensors") }
        var tensors: [Tensor] = []
        var more = try reader.beginArray()
        while more {
            tensors.append(try tensor(&reader, field: "\(field)[\(tensors.count)]"))
            more = try reader.nextElement()
        }
        guard !tensors.isEmpty else { throw RequestRejection.shape(field, "is empty") }
        return tensors
    }

    static func tensor(_ reader: inout JSONReader, field: String) throws -> Tensor {
        guard try reader.peekKind() == .object else { throw RequestRejection.shape(field, "a tensor must be an object with name, shape, datatype and data") }
        var name: String?
        var shape: [Int]?
        var datatype: String?
        var values: [FeatureValue]?
        var key = try reader.beginObject()
        while let member = key {
            switch member {
            case "name": name = try reader.readString()
            case "datatype": datatype = try reader.readString()
            case "shape":
                var dims: [Int] = []
                guard try reader.peekKind() == .array else { throw RequestRejection.shape("\(field).shape", "must be an array of sizes") }
                var more = try reader.beginArray()
                while more {
                    let size = try reader.readNumber()
                    guard size == size.rounded(), size >= 0, size <= Double(InferencePayload.maxRows) * 1000 else {
                        throw RequestRejection.shape("\(field).shape", "\(size) is not a size (a whole number ≥ 0)")
                    }
                    dims.append(Int(size))
                    more = try reader.nextElement()
                }
                shape = dims
            case "data":
                var data: [FeatureValue] = []
                try reader.readFlattened(into: &data, field: "\(field).data")
                values = data
            case "parameters":
                try parameters(&reader, field: field)
            default: try reader.skipValue()
            }
            key = try reader.nextKey()
        }
        guard let name else { throw RequestRejection.shape("\(field).name", "is missing") }
        guard let shape else { throw RequestRejection.shape("\(field).shape", "is missing (tensor \(name))") }
        guard let datatype else { throw RequestRejection.shape("\(field).datatype", "is missing (tensor \(name))") }
        guard datatypes.contains(datatype) else {
            throw RequestRejection.shape("\(field).datatype", "\(datatype) is not an Open Inference Protocol datatype (\(datatypes.sorted().joined(separator: ", ")))")
        }
        guard let values else { throw RequestRejection.shape("\(field).data", "is missing (tensor \(name))") }
        var expected = 1
        for size in shape {
            let (product, overflow) = expected.multipliedReportingOverflow(by: size)
            guard !overflow else { throw RequestRejection.shape("\(field).shape", "\(shape) is too large") }
            expected = product
        }
        guard expected == values.count else {
            throw RequestRejection.shape(field, "tensor \(name) has shape \(shape), which holds \(expected) values, but its data has \(values.count)")
        }
        return Tensor(name: name, shape: shape, datatype: datatype, values: values, field: field)
    }

    /// Refuses the binary tensor data extension (its data sits after the JSON, which this decoder does not read).
    static func parameters(_ reader: inout JSONReader, field: String) throws {
        guard try reader.peekKind() == .object else {
            try reader.skipValue()
            return
        }
        var key = try reader.beginObject()
        while let name = key {
            if name == "binary_data_size" {
                throw RequestRejection(
                    status: 415, code: "unsupported", field: "\(field).parameters.binary_data_size",
                    message: "\(field): the binary tensor data extension is not supported; send the data as JSON")
            }
            try reader.skipValue()
            key = try reader.nextKey()
        }
    }

    // MARK: - Tensors → rows

    /// The feature rows of a request: the configured input tensor (or the only one) as `[n, features]`,
    /// or one `[n]` (or `[n, 1]`) tensor per feature, named after it.
    static func rows(of tensors: [Tensor], mapping: EndpointMapping) throws(RequestRejection) -> [[FeatureValue]] {
        let width = mapping.featureCount
        let matrix: Tensor?
        if let wanted = mapping.config.inputTensor {
            guard let found = tensors.first(where: { $0.name == wanted }) else {
                throw RequestRejection.shape("inputs", "no tensor named \(wanted) (input_tensor of endpoint \(mapping.name)); the request has \(tensors.map(\.name).joined(separator: ", "))")
            }
            matrix = found
        } else if tensors.count == 1, mapping.featureIndex[tensors[0].name] == nil || width == 1 {
            matrix = tensors[0]
        } else {
            matrix = nil
        }
        if let matrix {
            let rows: Int
            switch matrix.shape.count {
            case 1 where matrix.shape[0] == width: rows = 1
            case 1 where width == 1: rows = matrix.shape[0]
            case 2 where matrix.shape[1] == width: rows = matrix.shape[0]
            default:
                throw RequestRejection.shape(
                    "\(matrix.field).shape",
                    "tensor \(matrix.name) has shape \(matrix.shape); endpoint \(mapping.name) expects [n, \(width)] (\(mapping.config.features.joined(separator: ", ")))")
            }
            guard rows <= InferencePayload.maxRows else { throw RequestRejection.shape("\(matrix.field).shape", "more than \(InferencePayload.maxRows) rows; split the request") }
            return (0..<rows).map { row in
                (0..<width).map { column in cell(matrix.values[row * width + column], categorical: mapping.isCategorical[column]) }
            }
        }
        var columns: [Tensor] = []
        for name in mapping.config.features {
            guard let tensor = tensors.first(where: { $0.name == name }) else {
                throw RequestRejection.shape(
                    "inputs", "no tensor named \(name): send one [n, \(width)] tensor (set input_tensor), or one tensor per feature (\(mapping.config.features.joined(separator: ", ")))")
            }
            guard tensor.shape.count <= 2, tensor.rowWidth == 1 else {
                throw RequestRejection.shape("\(tensor.field).shape", "feature tensor \(name) has shape \(tensor.shape); expected [n] or [n, 1]")
            }
            if let first = columns.first, first.values.count != tensor.values.count {
                throw RequestRejection.shape("\(tensor.field).shape", "feature tensor \(name) has \(tensor.values.count) rows, \(first.name) has \(first.values.count)")
            }
            columns.append(tensor)
        }
        let rows = columns.first?.values.count ?? 0
        guard rows <= InferencePayload.maxRows else { throw RequestRejection.shape("inputs", "more than \(InferencePayload.maxRows) rows; split the request") }
        return (0..<rows).map { row in
            columns.enumerated().map { column, tensor in cell(tensor.values[row], categorical: mapping.isCategorical[column]) }
        }
    }

    /// A tensor cell for a feature: a numeric tensor's value of a categorical feature is a category code,
    /// logged as its text (`3.0` → `"3"`); everything else goes to the logger as it is, to be validated there.
    static func cell(_ value: FeatureValue, categorical: Bool) -> FeatureValue {
        guard categorical, case .number(let x) = value, !x.isNaN else { return value }
        if x == x.rounded(), abs(x) < 1e15 { return .string(String(Int64(x))) }
        return .string("\(x)")
    }

    /// The answers of a response: the configured output tensor (or the only one), read as the endpoint's
    /// `output` says: `[n, classes]` probabilities, or `[n]` class indexes, class names or values.
    static func outcomes(of tensors: [Tensor], mapping: EndpointMapping) throws(RequestRejection) -> [InferenceRecord.Outcome] {
        let tensor: Tensor
        if let wanted = mapping.config.outputTensor {
            guard let found = tensors.first(where: { $0.name == wanted }) else {
                throw RequestRejection.shape("outputs", "no tensor named \(wanted) (output_tensor of endpoint \(mapping.name)); the response has \(tensors.map(\.name).joined(separator: ", "))")
            }
            tensor = found
        } else if tensors.count == 1 {
            tensor = tensors[0]
        } else {
            throw RequestRejection.shape("outputs", "the response has several outputs (\(tensors.map(\.name).joined(separator: ", "))): set output_tensor for endpoint \(mapping.name)")
        }
        let rows: Int
        let width: Int
        if mapping.output == .probabilities {
            switch tensor.shape.count {
            case 1: (rows, width) = (1, tensor.shape[0])
            case 2: (rows, width) = (tensor.shape[0], tensor.shape[1])
            default: throw RequestRejection.shape("\(tensor.field).shape", "probabilities tensor \(tensor.name) has shape \(tensor.shape); expected [n, \(mapping.classes.count)]")
            }
        } else {
            guard tensor.shape.count <= 2, tensor.rowWidth == 1 else {
                throw RequestRejection.shape("\(tensor.field).shape", "output tensor \(tensor.name) has shape \(tensor.shape); expected [n] or [n, 1] (output: \(mapping.output.rawValue))")
            }
            (rows, width) = (tensor.values.count, 1)
        }
        var outcomes: [InferenceRecord.Outcome] = []
        outcomes.reserveCapacity(rows)
        for row in 0..<rows {
            let values = Array(tensor.values[(row * width)..<((row + 1) * width)])
            outcomes.append(try KServeV1.outcome(values, mapping: mapping, field: "\(tensor.field).data[\(row)]"))
        }
        return outcomes
    }
}
