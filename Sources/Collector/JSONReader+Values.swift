import Driftline

extension JSONReader {
    /// A scalar as a feature value: a number, a string (a category), `true`/`false` (1/0) or `null` (missing);
    /// nil, with nothing consumed, when an object or array comes next.
    mutating func readFeatureValue() throws(PayloadSyntaxError) -> FeatureValue? {
        switch try peekKind() {
        case .number: return .number(try readNumber())
        case .string: return .string(try readString())
        case .bool: return .number(try readBool() ? 1 : 0)
        case .null:
            _ = try readNull()
            return .missing
        case .object, .array: return nil
        }
    }

    /// Every scalar of a possibly nested array, in row-major order (how tensors flatten).
    /// Throws ``PayloadSyntaxError`` or a ``RequestRejection`` naming `field`.
    mutating func readFlattened(into values: inout [FeatureValue], field: String) throws {
        guard try peekKind() == .array else {
            guard let value = try readFeatureValue() else {
                throw RequestRejection.shape(field, "is an object; tensor data is numbers, strings or booleans, possibly in nested arrays")
            }
            values.append(value)
            return
        }
        var more = try beginArray()
        while more {
            if try peekKind() == .array {
                try readFlattened(into: &values, field: field)
            } else {
                guard let value = try readFeatureValue() else {
                    throw RequestRejection.shape(field, "holds an object; tensor data is numbers, strings or booleans, possibly in nested arrays")
                }
                values.append(value)
            }
            more = try nextElement()
        }
    }
}

/// Runs a payload decoder over `bytes`, turning a JSON syntax error into a 400 that says where.
func decodeJSON<T>(_ bytes: UnsafeRawBufferPointer, what: String, _ body: (inout JSONReader) throws -> T) throws(RequestRejection) -> T {
    var reader = JSONReader(bytes)
    do {
        let value = try body(&reader)
        guard reader.isAtEnd() else { throw reader.error("unexpected text after the JSON value") }
        return value
    } catch let rejection as RequestRejection {
        throw rejection
    } catch let syntax as PayloadSyntaxError {
        throw RequestRejection.malformed(syntax, in: what)
    } catch {
        throw RequestRejection(status: 400, code: "malformed_json", message: "\(what): \(error)")
    }
}
