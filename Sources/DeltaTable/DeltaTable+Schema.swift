import DriftlineCore
extension DeltaTable {
    /// Adds nullable columns at the end of the table's schema (Delta's `ADD COLUMNS`): one commit of a
    /// `metaData` action that keeps the table's id, partitioning and configuration and replaces its schema.
    /// Data files written before it hold no values for the new columns, which every Delta reader reads as null.
    ///
    /// A field already in the schema with the same type is skipped, so two processes evolving the same table
    /// both succeed; nil when nothing was missing. A field present with another type, a non-nullable field or
    /// a partition column's name throws `invalidArgument`. A concurrent commit makes it re-read the table and
    /// try the next version (the added columns do not conflict with anyone's data files).
    ///
    /// ```swift
    /// try table.addColumns([DeltaField("estimated_f1", .double)])   // an existing store gains a column
    /// ```
    @discardableResult
    public func addColumns(_ fields: [DeltaField]) throws -> CommitResult? {
        for attempt in 1...max(1, options.maxCommitAttempts) {
            let snapshot = try self.snapshot()
            try snapshot.protocolVersions.checkWritable(table: path)
            var missing: [DeltaField] = []
            for field in fields {
                if let existing = snapshot.schema.field(named: field.name) {
                    guard existing.type == field.type else {
                        throw DeltaError.invalidArgument("column \(field.name) exists with type \(existing.type), cannot add it as \(field.type)")
                    }
                    continue
                }
                guard field.nullable else {
                    throw DeltaError.invalidArgument("column \(field.name) must be nullable: the table's existing rows have no value for it")
                }
                guard !missing.contains(where: { $0.name.lowercased() == field.name.lowercased() }) else { continue }
                missing.append(field)
            }
            guard !missing.isEmpty else { return nil }
            let schema = DeltaSchema(snapshot.schema.fields + missing)
            try schema.validate(partitionColumns: snapshot.partitionColumns)
            var metadata = snapshot.metadata
            metadata.schemaString = schema.json
            let now = Timestamp.now()
            let info: [String: JSONValue] = [
                "timestamp": .int(now.milliseconds), "operation": .string("ADD COLUMNS"),
                "operationParameters": .object(["columns": .array(missing.map { .string($0.name) })]),
                "clientVersion": .string("driftline"), "readVersion": .int(snapshot.version),
            ]
            let bytes = ActionCoding.encodeCommit([.commitInfo(info), .metaData(metadata)])
            let version = snapshot.version + 1
            if try putCommit(bytes, version: version) == .created {
                return CommitResult(version: version, removedPaths: [], attempts: attempt, checkpoint: nil, checkpointError: nil)
            }
        }
        throw DeltaError.conflict(table: path, version: try latestVersion() ?? -1,
                                  reason: "other writers won \(options.maxCommitAttempts) versions in a row while columns were added")
    }
}
