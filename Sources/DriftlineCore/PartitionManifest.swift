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

    /// Creates a manifest for writing: endpoint, model version and feature names must pass ``NameRules``.
    /// - Throws: ``ValidationError`` naming the field.
    public init(endpoint: String, modelVersion: String, schema: ModelSchema) throws(ValidationError) {
        self.init(unchecked: endpoint, modelVersion: modelVersion, schema: schema)
        try NameRules.check(self)
    }

    /// A manifest as read from a log: only what a reader needs to find its folder is checked (an older or
    /// foreign writer may have used names ``NameRules`` refuses; readers check ``NameRules/check(_:)`` and
    /// quarantine such a model's records instead of failing the partition).
    init(decoded endpoint: String, modelVersion: String, schema: ModelSchema) throws(ValidationError) {
        _ = try PathComponent(endpoint, field: "endpoint")
        if modelVersion.isEmpty { throw ValidationError(.invalidName, field: "modelVersion", value: "", detail: "must not be empty") }
        if modelVersion.unicodeScalars.contains(where: NameRules.isControl) {
            throw ValidationError(.invalidName, field: "modelVersion", value: modelVersion, detail: "must not contain control characters")
        }
        self.init(unchecked: endpoint, modelVersion: modelVersion, schema: schema)
    }

    init(unchecked endpoint: String, modelVersion: String, schema: ModelSchema) {
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
        var cursor = ByteCursor<CodecError>(bytes)
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
            return try PartitionManifest(decoded: endpoint, modelVersion: modelVersion, schema: schema)
        } catch {
            throw CodecError(.malformed, offset: 0, detail: "decoded manifest is invalid: \(error)")
        }
    }

    /// Decodes a manifest from an array.
    public static func decode(_ bytes: [UInt8]) throws(CodecError) -> PartitionManifest {
        try bytes.withUnsafeBytes { raw in Result { () throws(CodecError) -> PartitionManifest in try decode(raw) } }.get()
    }
}
