import Foundation
import Profiles

/// Splits `values` into `pieces` contiguous runs at random cut points.
func randomPieces(_ values: [Double], pieces: Int, generator: inout SplitMix64) -> [ArraySlice<Double>] {
    guard pieces > 1, values.count > 1 else { return [values[...]] }
    var cuts = Set<Int>()
    while cuts.count < Swift.min(pieces - 1, values.count - 1) { cuts.insert(Int.random(in: 1..<values.count, using: &generator)) }
    let bounds = [0] + cuts.sorted() + [values.count]
    return (0..<(bounds.count - 1)).map { values[bounds[$0]..<bounds[$0 + 1]] }
}

/// Profiles stdin's values with `NumericProfile` (optionally cut into random pieces merged in random
/// order) over reference bins made from the values themselves; prints moments, quantiles at `--ranks`,
/// the histogram and the sketch bytes (base64).
func profileCommand(_ options: Options) throws -> Any {
    let values = readDoubles()
    let k = UInt16(options.int("k", default: 200))
    let seed = options.uint64("seed") ?? 1
    let bins = try ReferenceBins(referenceID: "self", trainingValues: values, binCount: options.int("bins", default: 20))
    var generator = SplitMix64(seed: seed ^ 0xABCDEF)
    var pieces = randomPieces(values, pieces: options.int("pieces", default: 1), generator: &generator)
    pieces.shuffle(using: &generator)
    var profile = try NumericProfile(bins: bins, k: k, seed: seed)
    for (index, piece) in pieces.enumerated() {
        var part = try NumericProfile(bins: bins, k: k, seed: seed &+ UInt64(index) &+ 1)
        for x in piece { part.add(x) }
        try profile.merge(part)
    }
    let moments = profile.moments, sketch = profile.sketch
    let ranks = options.doubles("ranks")
    return [
        "count": moments.count, "missing_count": moments.missingCount,
        "min": json(moments.min), "max": json(moments.max), "mean": json(moments.mean), "m2": json(moments.m2),
        "variance": json(moments.variance),
        "sketch_n": sketch.count, "sketch_min": json(sketch.min), "sketch_max": json(sketch.max),
        "quantiles": sketch.quantiles(ranks).map(json),
        "retained": sketch.retainedCount,
        "edges": bins.edges, "histogram": profile.histogram ?? [],
        "sketch": Data(sketch.serialized()).base64EncodedString(),
    ] as [String: Any]
}

/// Builds `--trials` sketches of stdin's values with different seeds; prints each trial's quantiles.
func trialsCommand(_ options: Options) throws -> Any {
    let values = readDoubles()
    let k = UInt16(options.int("k", default: 200))
    let seed = options.uint64("seed") ?? 1
    let ranks = options.doubles("ranks")
    var results: [[Any]] = []
    for trial in 0..<options.int("trials", default: 1) {
        var sketch = try KLLSketch(k: k, seed: seed &+ UInt64(trial) &* 7919)
        for x in values { sketch.update(x) }
        results.append(sketch.quantiles(ranks).map(json))
    }
    return ["quantiles": results, "normalized_rank_error": KLLSketch.normalizedRankError(k: k)] as [String: Any]
}

/// Reads a serialized sketch from stdin; prints n, min, max, quantiles at `--ranks`, ranks of `--points`.
func readSketchCommand(_ options: Options) throws -> Any {
    let sketch = try KLLSketch(serialized: [UInt8](readStandardInput()))
    let points = options.doubles("points")
    return [
        "n": sketch.count, "k": Int(sketch.k), "min": json(sketch.min), "max": json(sketch.max),
        "quantiles": sketch.quantiles(options.doubles("ranks")).map(json),
        "ranks": points.map { sketch.rank($0) },
        "inclusive_ranks": points.map { sketch.rank($0, inclusive: true) },
        "cdf": sketch.cdf(points),
        "reserialized": Data(sketch.serialized()).base64EncodedString(),
    ] as [String: Any]
}

