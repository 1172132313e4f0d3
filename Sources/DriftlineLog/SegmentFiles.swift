/// The names of a segment's files: `<20-digit base offset>.log`, `.index`, `.timeindex`.
public struct SegmentFiles: Sendable, Hashable, Comparable {
    /// The offset of the segment's first record.
    public let baseOffset: Int64
    /// The partition folder.
    public let folder: String

    public init(baseOffset: Int64, folder: String) {
        self.baseOffset = baseOffset
        self.folder = folder
    }

    /// `00000000000000000042` for base offset 42.
    public static func name(for baseOffset: Int64) -> String {
        let digits = String(baseOffset)
        return String(repeating: "0", count: max(0, 20 - digits.count)) + digits
    }

    /// The segment file.
    public var logPath: String { "\(folder)/\(Self.name(for: baseOffset)).log" }
    /// The sparse offset index.
    public var indexPath: String { "\(folder)/\(Self.name(for: baseOffset)).index" }
    /// The sparse time index.
    public var timeIndexPath: String { "\(folder)/\(Self.name(for: baseOffset)).timeindex" }

    /// The base offset encoded in a segment file name, or nil when `name` is not one.
    public static func baseOffset(ofLogFile name: String) -> Int64? {
        guard name.utf8.count == 24, name.hasSuffix(".log") else { return nil }
        let digits = name.prefix(20)
        guard digits.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        return Int64(digits)
    }

    /// The segments in `folder`, by ascending base offset.
    static func list(in folder: String) throws(LogError) -> [SegmentFiles] {
        try LogFolder.list(folder).compactMap { name in
            baseOffset(ofLogFile: name).map { SegmentFiles(baseOffset: $0, folder: folder) }
        }.sorted()
    }

    /// Whether the file is a segment of this partition: its first batch is valid and starts at the offset its
    /// name says. Nil while it holds no complete batch yet (a segment the writer just started, or an empty
    /// file); false for a stray file named like a segment (copied in, another partition's, garbage).
    func isGenuine() throws(LogError) -> Bool? {
        guard let file = try LogFile.openForReading(logPath) else { return nil }
        defer { file.close() }
        var scanner = SegmentScanner(file: file, position: 0)
        switch try scanner.next(fileSize: try file.size()) {
        case .end, .incomplete: return nil
        case .bad: return false
        case .batch(let header, _, _): return header.baseOffset == baseOffset
        }
    }

    public static func < (lhs: SegmentFiles, rhs: SegmentFiles) -> Bool { lhs.baseOffset < rhs.baseOffset }
}
