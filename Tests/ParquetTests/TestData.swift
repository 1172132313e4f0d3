@testable import Parquet

/// Deterministic test data.
struct TestRandom {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return state >> 11
    }
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    mutating func chance(_ percent: Int) -> Bool { below(100) < percent }
}

enum TestData {
    static let flatSchema = Schema([
        .required("id", .int64),
        .optional("i32", .int32),
        .optional("d", .double),
        .optional("flag", .boolean),
        .required("endpoint", .string),
        .optional("blob", .binary),
        .optional("ts", .timestampMicros),
        .optional("hist", .list(.optional("element", .int64))),
        .optional("tags", .list(.required("element", .string))),
        .optional("kv", .map(key: .required("key", .string), value: .optional("value", .string))),
        .optional("st", .group([.optional("a", .int64), .optional("inner", .group([.required("b", .string)]))])),
    ])

    static func rows(_ n: Int, seed: UInt64 = 1) -> [[ParquetValue]] {
        var g = TestRandom(seed: seed)
        let words = ["fraud", "churn", "élan", "z", ""]
        return (0 ..< n).map { i in
            [
                .int64(Int64(i) * 7 - 100),
                g.chance(10) ? .null : .int32(Int32(g.below(1000)) - 500),
                g.chance(10) ? .null : .double(Double(g.below(100_000)) / 3 - 1000),
                g.chance(10) ? .null : .boolean(g.chance(50)),
                .string(words[g.below(words.count)]),
                g.chance(20) ? .null : .bytes((0 ..< g.below(12)).map { _ in UInt8(g.below(256)) }),
                g.chance(10) ? .null : .int64(1_700_000_000_000_000 + Int64(g.below(1_000_000))),
                g.chance(10) ? .null : .list((0 ..< g.below(5)).map { _ in g.chance(10) ? .null : .int64(Int64(g.below(50))) }),
                g.chance(10) ? .null : .list((0 ..< g.below(3)).map { _ in .string(words[g.below(words.count)]) }),
                g.chance(10) ? .null : .map((0 ..< g.below(3)).map { k in .init(key: .string("k\(k)"), value: g.chance(20) ? .null : .string("v\(i)")) }),
                g.chance(10) ? .null : .group([g.chance(10) ? .null : .int64(Int64(i)),
                                               g.chance(20) ? .null : .group([.string("b\(i % 4)")])]),
            ]
        }
    }

    static func file(rows n: Int = 600, options: WriterOptions = WriterOptions()) throws -> [UInt8] {
        let writer = try ParquetWriter(schema: flatSchema, options: options)
        try writer.write(rows: rows(n))
        try writer.close()
        return writer.bytes
    }
}
