import DeltaTable
import Foundation
import Profiles
@testable import DriftlineStore

/// A store in a fresh temporary folder, removed when the value goes away.
final class TestStore: Sendable {
    let root: String
    let store: Store

    init() {
        root = NSTemporaryDirectory() + "driftline-store-tests-" + UUID().uuidString.lowercased()
        store = Store(root: root)
    }

    deinit { try? FileManager.default.removeItem(atPath: root) }
}

let hour: Int64 = 3_600_000_000
let fiveMinutes: Int64 = 300_000_000
/// 2026-01-01T00:00:00Z in µs.
let t0: Int64 = 1_767_225_600_000_000

/// Rows of a window profiled from values: numeric column `x` (with bins when given) and categorical `c`.
func profileRows(endpoint: String = "iris", modelVersion: String = "3", windowStart: Int64 = t0, windowLength: Int64 = fiveMinutes,
                 numeric: [Double], categories: [String?] = [], bins: ReferenceBins? = nil, column: String = "x") throws -> [ProfileRow] {
    var x = ColumnProfile.numeric(column, bins: bins)
    for value in numeric { try x.add(value) }
    var rows = [x.row(endpoint: endpoint, modelVersion: modelVersion, windowStartMicroseconds: windowStart,
                      windowEndMicroseconds: windowStart + windowLength)]
    if !categories.isEmpty {
        var c = ColumnProfile.categorical("c")
        for value in categories { try c.add(category: value) }
        rows.append(c.row(endpoint: endpoint, modelVersion: modelVersion, windowStartMicroseconds: windowStart,
                          windowEndMicroseconds: windowStart + windowLength))
    }
    return rows
}

/// Deterministic pseudo-random doubles (SplitMix64 → uniform → Box–Muller normal).
struct Numbers {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func uniform() -> Double { Double(next() >> 11) / Double(1 << 53) }
    mutating func normal(mean: Double = 0, sd: Double = 1) -> Double {
        let u = max(uniform(), 1e-300), v = uniform()
        return mean + sd * (-2 * log(u)).squareRoot() * cos(2 * .pi * v)
    }
}
