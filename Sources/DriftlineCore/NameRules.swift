/// The one set of rules for the names Driftline stores: endpoints, model versions and column (feature)
/// names. Every stage checks names here, so a name the logger, `ingest`, `collect` or `profile` accepts is
/// one `tail`, `batch` and the store accept too.
///
/// - Endpoints and model versions become folders of the log and the store: 1–200 UTF-8 bytes, no `/` or
///   `\`, no `..`, not starting with `.` or `_` (Delta ignores such files), no control characters.
/// - Feature names: 1–1024 UTF-8 bytes, no control characters, and not starting with `:` (the prefix of
///   the reserved columns `:prediction`, `:label`, `:proba:<class>`, …).
public enum NameRules {
    /// The longest endpoint or model version, in UTF-8 bytes.
    public static let maxFolderNameBytes = 200

    /// Checks an endpoint name.
    public static func checkEndpoint(_ value: String, field: String = "endpoint") throws(ValidationError) {
        try checkFolderName(value, field: field)
    }

    /// Checks a model version.
    public static func checkModelVersion(_ value: String, field: String = "model_version") throws(ValidationError) {
        try checkFolderName(value, field: field)
    }

    /// Checks a name that becomes a folder of the store (endpoint, model version, lock name).
    public static func checkFolderName(_ value: String, field: String) throws(ValidationError) {
        func reject(_ why: String) -> ValidationError { ValidationError(.invalidName, field: field, value: value, detail: why) }
        if value.isEmpty { throw reject("must not be empty") }
        if value.utf8.count > maxFolderNameBytes {
            throw ValidationError(.tooLong, field: field, value: value, detail: "must be at most \(maxFolderNameBytes) bytes")
        }
        if value.hasPrefix(".") || value.hasPrefix("_") { throw reject("must not start with '.' or '_' (use letters, digits, '-' or '.' inside)") }
        if value.contains("..") { throw reject("must not contain \"..\"") }
        for scalar in value.unicodeScalars {
            if scalar == "/" || scalar == "\\" { throw reject("must not contain '/' or '\\'") }
            if isControl(scalar) { throw reject("must not contain control characters") }
        }
    }

    /// Checks a feature (column) name: not empty, at most ``ModelSchema/maxNameBytes``, no control
    /// characters, not a reserved column (no leading `:`).
    public static func checkColumnName(_ value: String, field: String) throws(ValidationError) {
        func reject(_ why: String) -> ValidationError { ValidationError(.invalidName, field: field, value: value, detail: why) }
        if value.isEmpty { throw reject("a feature name must not be empty") }
        if value.utf8.count > ModelSchema.maxNameBytes {
            throw ValidationError(.tooLong, field: field, value: value, detail: "a feature name is at most \(ModelSchema.maxNameBytes) bytes")
        }
        if value.hasPrefix(":") { throw reject("names starting with ':' are reserved for derived columns (:prediction, :label, ...); rename the feature") }
        if value.unicodeScalars.contains(where: isControl) { throw reject("must not contain control characters") }
    }

    /// Checks a whole manifest: endpoint, model version and every feature name.
    public static func check(_ manifest: PartitionManifest) throws(ValidationError) {
        try checkEndpoint(manifest.endpoint)
        try checkModelVersion(manifest.modelVersion)
        for (i, feature) in manifest.schema.features.enumerated() {
            try checkColumnName(feature.name, field: "features[\(i)]")
        }
    }

    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
    }
}
