import Parquet

/// Deterministic sample files covering the writer's features; each is written beside a
/// NAME.expected.json holding the rows we meant to write (not read back), so the Python side
/// checks pyarrow's reading against our intent.
enum Samples {
    struct Generator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return state >> 11
        }
        mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
        mutating func chance(_ percent: Int) -> Bool { below(100) < percent }
    }

    static func writeAll(to dir: String) throws {
        try write(dir, "flat", flatSchema, flatRows(), options { $0.maxRowGroupBytes = 24 << 10; $0.dataPageBytes = 4 << 10 })
        try write(dir, "flat_plain_uncompressed", flatSchema, flatRows(),
                  options { $0.compression = .uncompressed; $0.dictionaryEnabled = false; $0.maxRowGroupBytes = 24 << 10 })
        try write(dir, "lists", listSchema, listRows(), options { $0.maxRowGroupBytes = 16 << 10; $0.dataPageBytes = 2 << 10 })
        try write(dir, "checkpoint", checkpointSchema, checkpointRows(), options { _ in })
        try writeColumnar(dir)
    }

    static func options(_ change: (inout WriterOptions) -> Void) -> WriterOptions {
        var o = WriterOptions()
        o.keyValueMetadata = [KeyValue(key: "driftline.sample", value: "yes")]
        change(&o)
        return o
    }

    static func write(_ dir: String, _ name: String, _ schema: Schema, _ rows: [[ParquetValue]], _ options: WriterOptions) throws {
        let writer = try ParquetWriter(path: "\(dir)/\(name).parquet", schema: schema, options: options)
        try writer.write(rows: rows)
        try writer.close()
        let json = "[\n" + rows.map { JSONText.row($0, schema.fields) }.joined(separator: ",\n") + "\n]\n"
        try FileHandleOutput.writeFile("\(dir)/\(name).expected.json", json)
    }

    static let flatSchema = Schema([
        .required("id", .int64),
        .optional("i32", .int32),
        .optional("f", .float),
        .optional("d", .double),
        .optional("flag", .boolean),
        .required("endpoint", .string),
        .optional("note", .string),
        .optional("blob", .binary),
        .optional("ts", .timestampMicros),
    ])

    static func flatRows() -> [[ParquetValue]] {
        var g = Generator(state: 42)
        let endpoints = ["fraud", "churn", "ranking", "élan", ""]
        var rows: [[ParquetValue]] = []
        for i in 0 ..< 3000 {
            let i32: ParquetValue = g.chance(10) ? .null : .int32(Int32(g.below(2_000_001)) - 1_000_000)
            let f: ParquetValue = g.chance(10) ? .null : .float(Float(g.below(100_000)) / 7 - 5000)
            var dv = Double(g.below(1_000_000)) / 13 - 30000
            if i == 5 { dv = -0.0 }
            if i == 6 { dv = 1e300 }
            let d: ParquetValue = g.chance(15) ? .null : .double(dv)
            let flag: ParquetValue = g.chance(20) ? .null : .boolean(g.chance(50))
            let note: ParquetValue = g.chance(30) ? .null : .string("note-\(g.below(1_000_000))-\(String(repeating: "x", count: g.below(20)))")
            let blob: ParquetValue = g.chance(25) ? .null : .bytes((0 ..< g.below(40)).map { _ in UInt8(g.below(256)) })
            let ts: ParquetValue = g.chance(5) ? .null : .int64(1_700_000_000_000_000 + Int64(g.below(1_000_000_000)) * 1000)
            rows.append([.int64(Int64(i) * 3 - 4000), i32, f, d, flag, .string(endpoints[g.below(endpoints.count)]), note, blob, ts])
        }
        return rows
    }

    static let listSchema = Schema([
        .required("row", .int32),
        .optional("histogram", .list(.optional("element", .int64))),
        .optional("categories", .list(.optional("element", .string))),
        .required("tags", .list(.required("element", .string))),
        .optional("weights", .list(.required("element", .double))),
    ])

    static func listRows() -> [[ParquetValue]] {
        var g = Generator(state: 7)
        let words = ["a", "b", "c", "dog", "cat", "élan", "zebra"]
        var rows: [[ParquetValue]] = []
        for i in 0 ..< 1500 {
            func maybeList(_ make: (inout Generator) -> [ParquetValue]) -> ParquetValue {
                if g.chance(10) { return .null }
                if g.chance(10) { return .list([]) }
                return .list(make(&g))
            }
            let histogram = maybeList { g in (0 ..< (1 + g.below(25))).map { _ in g.chance(5) ? .null : .int64(Int64(g.below(1000)) - 100) } }
            let categories = maybeList { g in (0 ..< (1 + g.below(6))).map { _ in g.chance(5) ? .null : .string(words[g.below(words.count)]) } }
            let tags = ParquetValue.list((0 ..< g.below(4)).map { _ in .string(words[g.below(words.count)]) })
            let weights = maybeList { g in (0 ..< (1 + g.below(5))).map { _ in .double(Double(g.below(1000)) / 8) } }
            rows.append([.int32(Int32(i)), histogram, categories, tags, weights])
        }
        return rows
    }

    static let stringMap = FieldType.map(key: .required("key", .string), value: .optional("value", .string))

    static let checkpointSchema = Schema([
        .optional("txn", .group([.optional("appId", .string), .optional("version", .int64), .optional("lastUpdated", .int64)])),
        .optional("add", .group([
            .optional("path", .string), .optional("partitionValues", stringMap), .optional("size", .int64),
            .optional("modificationTime", .int64), .optional("dataChange", .boolean), .optional("stats", .string),
        ])),
        .optional("remove", .group([.optional("path", .string), .optional("deletionTimestamp", .int64), .optional("dataChange", .boolean)])),
        .optional("metaData", .group([
            .optional("id", .string), .optional("name", .string), .optional("description", .string),
            .optional("format", .group([.optional("provider", .string), .optional("options", stringMap)])),
            .optional("schemaString", .string),
            .optional("partitionColumns", .list(.optional("element", .string))),
            .optional("configuration", stringMap),
            .optional("createdTime", .int64),
        ])),
        .optional("protocol", .group([.optional("minReaderVersion", .int32), .optional("minWriterVersion", .int32)])),
    ])

    static func checkpointRows() -> [[ParquetValue]] {
        func kv(_ k: String, _ v: String?) -> ParquetValue.MapEntry { .init(key: .string(k), value: v.map { .string($0) } ?? .null) }
        var rows: [[ParquetValue]] = []
        rows.append([.null, .null, .null, .null, .group([.int32(1), .int32(2)])])
        rows.append([.null, .null, .null, .group([
            .string("5f1c-id"), .null, .null,
            .group([.string("parquet"), .map([])]),
            .string("{\"type\":\"struct\",\"fields\":[]}"),
            .list([.string("endpoint")]),
            .map([kv("delta.checkpointInterval", "100"), kv("x", nil)]),
            .int64(1_700_000_000_000),
        ]), .null])
        rows.append([.group([.string("driftline-tail"), .int64(42), .int64(1_700_000_000_123)]), .null, .null, .null, .null])
        for i in 0 ..< 50 {
            let pv: ParquetValue = i % 7 == 0 ? .map([]) : .map([kv("endpoint", "ep\(i % 3)"), kv("model", i % 2 == 0 ? nil : "v\(i)")])
            rows.append([.null, .group([.string("endpoint=ep\(i % 3)/part-\(i).parquet"), pv, .int64(Int64(1000 + i)),
                                         .int64(1_700_000_000_000 + Int64(i)), .boolean(i % 2 == 0),
                                         i % 5 == 0 ? .null : .string("{\"numRecords\":\(i)}")]), .null, .null, .null])
        }
        rows.append([.null, .null, .group([.string("endpoint=ep0/part-0.parquet"), .int64(1_700_000_000_999), .boolean(true)]), .null, .null])
        return rows
    }

    /// The columnar fast path: typed arrays in, several row groups out.
    static func writeColumnar(_ dir: String) throws {
        let schema = Schema([
            .required("endpoint", .string), .required("count", .int64), .optional("mean", .double),
            .optional("histogram", .list(.optional("element", .int64))),
        ])
        let n = 5000
        var g = Generator(state: 99)
        var endpoints = ByteArrays()
        var counts: [Int64] = [], means: [Double] = [], meanValid: [Bool] = []
        var offsets = [0], hist: [Int64] = [], histValid: [Bool] = []
        var rows: [[ParquetValue]] = []
        for i in 0 ..< n {
            let ep = "ep\(i % 4)"
            endpoints.append(ep)
            counts.append(Int64(g.below(10000)))
            let valid = !g.chance(20)
            meanValid.append(valid)
            if valid { means.append(Double(g.below(1000)) / 4) }
            let len = g.below(5)
            var h: [ParquetValue] = []
            for _ in 0 ..< len {
                let v = Int64(g.below(100))
                hist.append(v); histValid.append(true); h.append(.int64(v))
            }
            offsets.append(hist.count)
            rows.append([.string(ep), .int64(counts[i]), valid ? .double(means[means.count - 1]) : .null, .list(h)])
        }
        let batch = RecordBatch(rowCount: n, columns: [
            try LeafColumn(field: schema.fields[0], values: .byteArray(endpoints)),
            try LeafColumn(field: schema.fields[1], values: .int64(counts)),
            try LeafColumn(field: schema.fields[2], values: .double(means), validity: meanValid),
            try LeafColumn(listField: schema.fields[3], offsets: offsets, values: .int64(hist), elementValidity: histValid),
        ])
        var o = options { $0.maxRowGroupBytes = 32 << 10 }
        o.keyValueMetadata.append(KeyValue(key: "columnar", value: "true"))
        let writer = try ParquetWriter(path: "\(dir)/columnar.parquet", schema: schema, options: o)
        try writer.write(batch)
        try writer.close()
        let json = "[\n" + rows.map { JSONText.row($0, schema.fields) }.joined(separator: ",\n") + "\n]\n"
        try FileHandleOutput.writeFile("\(dir)/columnar.expected.json", json)
    }
}
