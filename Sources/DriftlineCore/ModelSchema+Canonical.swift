/// The canonical binary form of a schema and its fingerprint.
///
/// Layout (see `Sources/DriftlineLog/FORMAT.md`, "Schema"):
/// `u8 version=1`, `varint featureCount`, per feature `u8 kind` + `string name`,
/// `u8 task` (0 binary, 1 multiclass, 2 regression), for classification `varint classCount` + class
/// `string`s, for binary `f64 threshold`. Strings are a varint byte length then UTF-8.
extension ModelSchema {
    static let canonicalVersion: UInt8 = 1

    /// The canonical bytes: equal schemas give equal bytes on every machine.
    public var canonicalEncoding: [UInt8] {
        var out: [UInt8] = []
        appendCanonical(to: &out)
        return out
    }

    /// Appends the canonical bytes to `out`.
    public func appendCanonical(to out: inout [UInt8]) {
        out.append(Self.canonicalVersion)
        out.appendVarint(UInt64(features.count))
        for feature in features {
            out.append(feature.kind.rawValue)
            out.appendString(feature.name)
        }
        switch task {
        case .binaryClassification(let classes, let threshold):
            out.append(0)
            out.appendVarint(UInt64(classes.count))
            for name in classes { out.appendString(name) }
            out.appendDouble(threshold)
        case .multiclassClassification(let classes):
            out.append(1)
            out.appendVarint(UInt64(classes.count))
            for name in classes { out.appendString(name) }
        case .regression:
            out.append(2)
        }
    }

    /// Decodes a schema from its canonical bytes at the cursor, validating it.
    public static func decodeCanonical(from cursor: inout ByteCursor<CodecError>) throws(CodecError) -> ModelSchema {
        let start = cursor.position
        let version = try cursor.readByte("schema version")
        guard version == canonicalVersion else {
            throw CodecError(.unsupportedVersion, offset: start, detail: "schema version \(version), this build reads \(canonicalVersion)")
        }
        // Each feature takes at least 2 bytes, so the count is bounded by what is left.
        let featureCount = try cursor.readLength("feature count", limit: 1_000_000)
        var features: [Feature] = []
        features.reserveCapacity(min(featureCount, cursor.remaining / 2))
        for _ in 0..<featureCount {
            let kindOffset = cursor.position
            let rawKind = try cursor.readByte("feature kind")
            guard let kind = FeatureKind(rawValue: rawKind) else {
                throw CodecError(.malformed, offset: kindOffset, detail: "feature kind \(rawKind) is neither 0 (numeric) nor 1 (categorical)")
            }
            let name = try cursor.readString("feature name", limit: maxNameBytes)
            features.append(Feature(name: name, kind: kind))
        }
        let taskOffset = cursor.position
        let taskTag = try cursor.readByte("task")
        let task: Task
        switch taskTag {
        case 0, 1:
            let classCount = try cursor.readLength("class count", limit: 100_000)
            var classes: [String] = []
            classes.reserveCapacity(min(classCount, cursor.remaining))
            for _ in 0..<classCount { classes.append(try cursor.readString("class name", limit: maxNameBytes)) }
            if taskTag == 0 {
                task = .binaryClassification(classes: classes, threshold: try cursor.readDouble("threshold"))
            } else {
                task = .multiclassClassification(classes: classes)
            }
        case 2:
            task = .regression
        default:
            throw CodecError(.malformed, offset: taskOffset, detail: "task tag \(taskTag) is not 0, 1 or 2")
        }
        do {
            return try ModelSchema(features: features, task: task)
        } catch {
            throw CodecError(.malformed, offset: start, detail: "decoded schema is invalid: \(error)")
        }
    }

    /// The stable 64-bit fingerprint of the canonical encoding (FNV-1a, 64 bit).
    public var fingerprint: SchemaFingerprint { SchemaFingerprint(of: canonicalEncoding) }
}

/// A stable 64-bit identity of a schema (or of a partition manifest): FNV-1a 64 over canonical bytes.
public struct SchemaFingerprint: Hashable, Sendable, CustomStringConvertible {
    /// The 64-bit value.
    public let value: UInt64

    public init(value: UInt64) { self.value = value }

    /// FNV-1a (64-bit) of `bytes`.
    public init(of bytes: some Sequence<UInt8>) {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        value = hash
    }

    /// 16 lowercase hex digits.
    public var hex: String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }

    /// Parses 16 hex digits.
    public init?(hex: String) {
        guard hex.utf8.count == 16, let value = UInt64(hex, radix: 16) else { return nil }
        self.value = value
    }

    public var description: String { hex }
}
