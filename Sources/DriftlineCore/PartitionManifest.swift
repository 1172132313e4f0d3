/// What a partition's records mean: the endpoint, the model version and the schema.
///
/// A writer stores its manifest in the partition when it opens it, and every batch names the
/// manifest by ``fingerprint``, so a reader decodes records with no configuration.
/// The fingerprint covers endpoint, model version and schema: a new model version is a new manifest.
public struct PartitionManifest: Hashable, Sendable {
    /// The endpoint (a served model), e.g. `iris`.
    public let endpoint: String
    /// The model version, free text such as `3` or `2026-11-23.1`.
    public let modelVersion: String
    /// Features and task.
    public let schema: ModelSchema

    static let version: UInt8 = 1
    /// The longest model version, in UTF-8 bytes.
    public static let maxModelVersionBytes = 200

    /// Creates a manifest; the endpoint must be a safe folder name.
    public init(endpoint: String, modelVersion: String, schema: ModelSchema) throws(ValidationError) {
        _ = try PathComponent(endpoint, field: "endpoint")
        if modelVersion.isEmpty { throw ValidationError(.invalidName, field: "modelVersion", value: "", detail: "must not be empty") }
        if modelVersion.utf8.count > Self.maxModelVersionBytes {
            throw ValidationError(.tooLong, field: "modelVersion", value: modelVersion, detail: "at most \(Self.maxModelVersionBytes) bytes")
        }
        if modelVersion.unicodeScalars.contains(where: { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) }) {
            throw ValidationError(.invalidName, field: "modelVersion", value: modelVersion, detail: "must not contain control characters")
        }
        self.endpoint = endpoint
        self.modelVersion = modelVersion
        self.schema = schema
    }

    /// Canonical bytes: `u8 version=1`, `string endpoint`, `string modelVersion`, canonical schema.
    public var canonicalEncoding: [UInt8] {
        var out: [UInt8] = [Self.version]
        out.appendString(endpoint)
        out.appendString(modelVersion)
        schema.appendCanonical(to: &out)
        return out
    }

    /// The FNV-1a 64 fingerprint of ``canonicalEncoding``; batches reference the manifest by it.
    public var fingerprint: SchemaFingerprint { SchemaFingerprint(of: canonicalEncoding) }

    /// Decodes a manifest from exactly `bytes` (trailing bytes are an error).
    public static func decode(_ bytes: UnsafeRawBufferPointer) throws(CodecError) -> PartitionManifest {
        var cursor = ByteCursor(bytes)
        let version = try cursor.readByte("manifest version")
        guard version == Self.version else {
            throw CodecError(.unsupportedVersion, offset: 0, detail: "manifest version \(version), this build reads \(Self.version)")
        }
        let endpoint = try cursor.readString("endpoint", limit: PathComponent.maxBytes)
        let modelVersion = try cursor.readString("model version", limit: maxModelVersionBytes)
        let schema = try ModelSchema.decodeCanonical(from: &cursor)
        guard cursor.isAtEnd else {
            throw CodecError(.malformed, offset: cursor.position, detail: "\(cursor.remaining) trailing bytes after the manifest")
        }
        do {
            return try PartitionManifest(endpoint: endpoint, modelVersion: modelVersion, schema: schema)
        } catch {
            throw CodecError(.malformed, offset: 0, detail: "decoded manifest is invalid: \(error)")
        }
    }

    /// Decodes a manifest from an array.
    public static func decode(_ bytes: [UInt8]) throws(CodecError) -> PartitionManifest {
        try bytes.withUnsafeBytes { raw in Result { () throws(CodecError) -> PartitionManifest in try decode(raw) } }.get()
    }
}
