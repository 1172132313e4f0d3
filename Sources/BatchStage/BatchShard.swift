/// A share of a store's endpoints for one of N batch runs (`driftline batch --shard I/N`): shard `index`
/// of `count` analyses the endpoints whose FNV-1a hash falls in it, so N machines or cron jobs can share
/// one store, each under its own lock; together they analyse every endpoint once, as an unsharded run does.
///
/// The hash is the 64-bit FNV-1a of the endpoint name's UTF-8 bytes (offset basis 0xcbf29ce484222325,
/// prime 0x100000001b3), taken modulo `count`: stable across runs, hosts, versions and platforms.
///
/// ```swift
/// let shard = try BatchShard(parsing: "1/3")
/// shard.contains("iris")      // fnv1a64("iris") % 3 == 1
/// ```
public struct BatchShard: Sendable, Equatable, CustomStringConvertible {
    /// 0 ..< count.
    public let index: Int
    /// How many shards share the store (1: unsharded).
    public let count: Int

    /// Every endpoint (an unsharded run).
    public static let all = BatchShard(uncheckedIndex: 0, count: 1)

    private init(uncheckedIndex index: Int, count: Int) {
        self.index = index
        self.count = count
    }

    /// Shard `index` of `count`.
    /// - Throws: ``BatchError/invalidArgument(name:detail:)`` unless 1 ≤ count ≤ 1024 and 0 ≤ index < count.
    public init(index: Int, count: Int) throws(BatchError) {
        guard (1...1024).contains(count), (0..<count).contains(index) else {
            throw .invalidArgument(name: "--shard \(index)/\(count)", detail: "give I/N with 0 ≤ I < N ≤ 1024, e.g. 0/3, 1/3 and 2/3 on three machines")
        }
        self.init(uncheckedIndex: index, count: count)
    }

    /// Parses `I/N` (`--shard 0/3`).
    public init(parsing text: String) throws(BatchError) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let index = Int(parts[0]), let count = Int(parts[1]) else {
            throw .invalidArgument(name: "--shard \(text)", detail: "not I/N; give the shard number and the number of shards, e.g. 0/3")
        }
        try self.init(index: index, count: count)
    }

    /// Whether `endpoint` belongs to this shard.
    public func contains(_ endpoint: String) -> Bool {
        count <= 1 || Int(Self.fnv1a64(endpoint) % UInt64(count)) == index
    }

    /// The 64-bit FNV-1a hash of `text`'s UTF-8 bytes.
    public static func fnv1a64(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return hash
    }

    /// `I/N`.
    public var description: String { "\(index)/\(count)" }
}
