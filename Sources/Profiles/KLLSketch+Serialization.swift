import DriftlineCore

/// The Apache DataSketches compact serialization of a KLL doubles sketch (family 15).
///
/// Layout (little-endian):
/// - byte 0: preamble ints (2 for empty or one item, 5 otherwise); 1: serial version (1, or 2 for one
///   item); 2: family 15; 3: flags (bit 0 empty, bit 1 level zero sorted, bit 2 single item);
///   4–5: k; 6: m (8); 7: unused.
/// - empty: nothing more. One item: the item (8 bytes).
/// - otherwise: n (u64), min k (u16), number of levels (u8), unused (u8), the level offsets
///   `levels[0 ..< numLevels]` (u32 each; the last offset is the total capacity, implied), min, max,
///   then the retained items from `levels[0]` up.
extension KLLSketch {
    static let family: UInt8 = 15
    static let flagEmpty: UInt8 = 1 << 0
    static let flagLevelZeroSorted: UInt8 = 1 << 1
    static let flagSingleItem: UInt8 = 1 << 2

    /// The compact serialization that DataSketches' `kll_doubles_sketch.deserialize` reads.
    public func serialized() -> [UInt8] {
        let single = count == 1
        var bytes: [UInt8] = []
        bytes.reserveCapacity(isEmpty ? 8 : 20 + 4 * numLevels + 8 * (retainedCount + 2))
        bytes.append(isEmpty || single ? 2 : 5)
        bytes.append(single ? 2 : 1)
        bytes.append(Self.family)
        var flags: UInt8 = 0
        if isEmpty { flags |= Self.flagEmpty }
        if levelZeroSorted { flags |= Self.flagLevelZeroSorted }
        if single { flags |= Self.flagSingleItem }
        bytes.append(flags)
        bytes.appendLittleEndian(k)
        bytes.append(Self.minLevelWidth)
        bytes.append(0)
        if isEmpty { return bytes }
        if !single {
            bytes.appendLittleEndian(count)
            bytes.appendLittleEndian(minK)
            bytes.append(UInt8(numLevels))
            bytes.append(0)
            for level in 0..<numLevels { bytes.appendLittleEndian(levels[level]) }
            bytes.appendDouble(minItem)
            bytes.appendDouble(maxItem)
        }
        for index in Int(levels[0])..<Int(levels[numLevels]) { bytes.appendDouble(items[index]) }
        return bytes
    }

    /// Reads a compact KLL doubles sketch (ours or DataSketches'); throws on any inconsistency.
    public init(serialized bytes: [UInt8], seed: UInt64? = nil) throws(ProfileError) {
        self = try bytes.withUnsafeBytes { raw in
            Result { () throws(ProfileError) -> KLLSketch in try KLLSketch(serializedBytes: raw, seed: seed) }
        }.get()
    }

    /// ``init(serialized:seed:)`` over the bytes in place.
    init(serializedBytes bytes: UnsafeRawBufferPointer, seed: UInt64?) throws(ProfileError) {
        var cursor = ByteCursor<ProfileError>(bytes)
        let preambleInts = try cursor.readLittleEndian(UInt8.self, "preamble ints")
        let serialVersion = try cursor.readLittleEndian(UInt8.self, "serial version")
        let family = try cursor.readLittleEndian(UInt8.self, "family")
        let flags = try cursor.readLittleEndian(UInt8.self, "flags")
        let k = try cursor.readLittleEndian(UInt16.self, "k")
        let m = try cursor.readLittleEndian(UInt8.self, "m")
        _ = try cursor.readLittleEndian(UInt8.self, "unused byte 7")
        guard family == Self.family else {
            throw .malformedSketch(field: "family", detail: "expected 15 (KLL), got \(family)")
        }
        guard serialVersion == 1 || serialVersion == 2 else {
            throw .malformedSketch(field: "serial version", detail: "expected 1 or 2, got \(serialVersion)")
        }
        guard m == Self.minLevelWidth else {
            throw .malformedSketch(field: "m", detail: "expected 8, got \(m)")
        }
        guard k >= UInt16(Self.minLevelWidth) else {
            throw .malformedSketch(field: "k", detail: "must be ≥ 8, got \(k)")
        }
        let empty = flags & Self.flagEmpty != 0
        let single = flags & Self.flagSingleItem != 0
        let expectedPreamble: UInt8 = empty || single ? 2 : 5
        guard preambleInts == expectedPreamble else {
            throw .malformedSketch(field: "preamble ints", detail: "expected \(expectedPreamble) for flags \(flags), got \(preambleInts)")
        }
        try self.init(k: k, seed: seed)
        if empty {
            guard cursor.remaining == 0 else {
                throw .malformedSketch(field: "length", detail: "\(cursor.remaining) bytes after an empty sketch")
            }
            return
        }
        if single {
            let item = try cursor.readDouble("single item")
            guard cursor.remaining == 0 else {
                throw .malformedSketch(field: "length", detail: "\(cursor.remaining) bytes after a one-item sketch")
            }
            guard !item.isNaN else { throw .malformedSketch(field: "single item", detail: "NaN") }
            update(item)
            return
        }
        let n = try cursor.readLittleEndian(UInt64.self, "n")
        let minK = try cursor.readLittleEndian(UInt16.self, "min k")
        let numLevels = Int(try cursor.readLittleEndian(UInt8.self, "number of levels"))
        _ = try cursor.readLittleEndian(UInt8.self, "unused byte 19")
        guard (1...61).contains(numLevels) else {
            throw .malformedSketch(field: "number of levels", detail: "must be 1…61, got \(numLevels)")
        }
        guard minK >= UInt16(Self.minLevelWidth), minK <= k else {
            throw .malformedSketch(field: "min k", detail: "must be 8…\(k), got \(minK)")
        }
        let capacity = Self.totalCapacity(k: k, numLevels: numLevels)
        var levels = [UInt32]()
        for _ in 0..<numLevels { levels.append(try cursor.readLittleEndian(UInt32.self, "levels")) }
        levels.append(capacity)
        for level in 0..<numLevels where levels[level] > levels[level + 1] {
            throw .malformedSketch(field: "levels[\(level)]", detail: "offsets \(levels) must ascend to the capacity \(capacity)")
        }
        let minItem = try cursor.readDouble("min item")
        let maxItem = try cursor.readDouble("max item")
        let retained = Int(capacity - levels[0])
        guard cursor.remaining == 8 * retained else {
            throw .malformedSketch(field: "items", detail: "expected \(retained) items (\(8 * retained) bytes), \(cursor.remaining) bytes left")
        }
        var items = [Double](repeating: 0, count: Int(capacity))
        try cursor.readDoubles(retained, into: &items, at: Int(levels[0]), "items")
        for index in Int(levels[0])..<Int(capacity) where items[index].isNaN {
            throw .malformedSketch(field: "item \(index)", detail: "NaN")
        }
        guard !minItem.isNaN, !maxItem.isNaN, minItem <= maxItem else {
            throw .malformedSketch(field: "min/max", detail: "min \(minItem) and max \(maxItem) are not ordered")
        }
        var weight: UInt64 = 0
        for level in 0..<numLevels {
            let (product, overflow) = UInt64(levels[level + 1] - levels[level]).multipliedReportingOverflow(by: UInt64(1) << UInt64(level))
            let (sum, overflow2) = weight.addingReportingOverflow(product)
            guard !overflow, !overflow2 else { throw .malformedSketch(field: "levels", detail: "weights overflow") }
            weight = sum
            var index = Int(levels[level]) + 1
            while level > 0, index < Int(levels[level + 1]) {
                guard items[index - 1] <= items[index] else {
                    throw .malformedSketch(field: "level \(level)", detail: "items are not sorted")
                }
                index += 1
            }
        }
        guard weight == n else {
            throw .malformedSketch(field: "n", detail: "n is \(n) but the levels weigh \(weight)")
        }
        for index in Int(levels[0])..<Int(capacity) where items[index] < minItem || items[index] > maxItem {
            throw .malformedSketch(field: "item \(index)", detail: "\(items[index]) lies outside [min \(minItem), max \(maxItem)]")
        }
        self.minK = minK
        self.count = n
        self.numLevels = numLevels
        self.capacities = Self.capacities(k: k, numLevels: numLevels)
        self.levels = levels
        self.items = items
        self.levelZeroSorted = false
        self.noNegativeZero = !items[Int(levels[0])...].contains { $0.bitPattern == Self.negativeZeroBits }
        self.minItem = minItem
        self.maxItem = maxItem
    }
}
