/// Variable-length values stored contiguously: value `i` is `bytes[offsets[i] ..< offsets[i + 1]]`.
///
/// This is the layout Arrow uses for binary and string arrays; it avoids one allocation per
/// value when writing or reading millions of strings.
public struct ByteArrays: Sendable, Hashable {
    /// The concatenated values.
    public var bytes: [UInt8]
    /// `count + 1` offsets into `bytes`, starting at 0.
    public var offsets: [Int]

    /// An empty array.
    public init() {
        bytes = []
        offsets = [0]
    }

    /// Wraps already concatenated values; `offsets` must start at 0, be non-decreasing and end at `bytes.count`.
    public init(bytes: [UInt8], offsets: [Int]) throws {
        guard let first = offsets.first, first == 0, offsets.last == bytes.count else {
            throw ParquetError.invalid("byte-array offsets must start at 0 and end at bytes.count (\(bytes.count))")
        }
        for i in 1 ..< offsets.count where offsets[i] < offsets[i - 1] {
            throw ParquetError.invalid("byte-array offsets decrease at index \(i)")
        }
        self.bytes = bytes
        self.offsets = offsets
    }

    init(uncheckedBytes bytes: [UInt8], offsets: [Int]) {
        self.bytes = bytes
        self.offsets = offsets
    }

    /// Builds from strings (UTF-8).
    public init<S: Sequence>(strings: S) where S.Element: StringProtocol {
        self.init()
        for s in strings { append(s) }
    }

    /// Number of values.
    public var count: Int { offsets.count - 1 }

    public mutating func reserveCapacity(values: Int, bytes byteCount: Int) {
        offsets.reserveCapacity(values + 1)
        bytes.reserveCapacity(byteCount)
    }

    public mutating func append<S: StringProtocol>(_ string: S) {
        bytes.append(contentsOf: string.utf8)
        offsets.append(bytes.count)
    }

    public mutating func append<C: Collection>(bytes value: C) where C.Element == UInt8 {
        bytes.append(contentsOf: value)
        offsets.append(bytes.count)
    }

    /// The bytes of value `i`.
    public subscript(i: Int) -> ArraySlice<UInt8> {
        bytes[offsets[i] ..< offsets[i + 1]]
    }

    /// Value `i` decoded as UTF-8 (invalid sequences are replaced).
    public func string(at i: Int) -> String {
        String(decoding: self[i], as: UTF8.self)
    }
}

extension Array {
    /// Reserves room for `n` more elements while keeping geometric growth (an exact
    /// `reserveCapacity` per page would reallocate on every page).
    @inline(__always)
    mutating func reserveAdditional(_ n: Int) {
        let needed = count + n
        if needed > capacity { reserveCapacity(Swift.max(needed, capacity * 2)) }
    }
}
