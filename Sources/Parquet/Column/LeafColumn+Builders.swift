extension LeafColumn {
    /// A top-level primitive field (`field` as in the schema): `values` holds the non-null
    /// values; `validity` (one flag per row) is needed when the field is optional and has nulls.
    public init(field: Field, values: ColumnValues, validity: [Bool]? = nil) throws {
        if !field.isOptional {
            guard validity == nil || validity!.allSatisfy({ $0 }) else {
                throw ParquetError.invalid("field \(field.name) is required but validity marks nulls")
            }
            self.init(values: values)
            return
        }
        if let validity {
            self.init(values: values, definitionLevels: validity.map { $0 ? 1 : 0 })
        } else {
            self.init(values: values, definitionLevels: [UInt8](repeating: 1, count: values.count))
        }
    }

    /// A top-level list field (`field` as in the schema, `.list(element)`): row `i` holds
    /// elements `offsets[i] ..< offsets[i + 1]`; `validity` marks null lists (optional field),
    /// `elementValidity` (one flag per element slot) marks null elements; `values` holds only
    /// the non-null elements.
    public init(listField field: Field, offsets: [Int], values: ColumnValues, validity: [Bool]? = nil,
                elementValidity: [Bool]? = nil) throws {
        guard case let .list(element) = field.type else { throw ParquetError.invalid("field \(field.name) is not a list") }
        guard let first = offsets.first, first == 0 else { throw ParquetError.invalid("list offsets of \(field.name) must start at 0") }
        let rows = offsets.count - 1
        if let validity, validity.count != rows {
            throw ParquetError.invalid("list \(field.name): validity has \(validity.count) flags for \(rows) rows")
        }
        if validity != nil && !field.isOptional { throw ParquetError.invalid("list \(field.name) is required but has validity") }
        let slots = offsets[rows]
        if let elementValidity, elementValidity.count != slots {
            throw ParquetError.invalid("list \(field.name): elementValidity has \(elementValidity.count) flags for \(slots) elements")
        }
        let listDef = field.isOptional ? 1 : 0          // list present
        let elementDef = UInt8(listDef + 1)              // repeated group present (non-empty)
        let valueDef = elementDef + (element.isOptional ? 1 : 0)
        var defs: [UInt8] = []
        var reps: [UInt8] = []
        defs.reserveCapacity(slots + rows)
        reps.reserveCapacity(slots + rows)
        var nonNull = 0
        for r in 0 ..< rows {
            let a = offsets[r], b = offsets[r + 1]
            guard b >= a else { throw ParquetError.invalid("list offsets of \(field.name) decrease at row \(r)") }
            if let validity, !validity[r] {
                guard a == b else { throw ParquetError.invalid("null list at row \(r) of \(field.name) has elements") }
                defs.append(0); reps.append(0)
                continue
            }
            if a == b { defs.append(UInt8(listDef)); reps.append(0); continue }
            for j in a ..< b {
                reps.append(j == a ? 0 : 1)
                if let elementValidity, !elementValidity[j] {
                    guard element.isOptional else { throw ParquetError.invalid("null element in required elements of \(field.name)") }
                    defs.append(elementDef)
                } else {
                    defs.append(valueDef)
                    nonNull += 1
                }
            }
        }
        guard nonNull == values.count else {
            throw ParquetError.invalid("list \(field.name): \(values.count) values for \(nonNull) non-null elements")
        }
        self.init(values: values, definitionLevels: defs, repetitionLevels: reps)
    }
}
