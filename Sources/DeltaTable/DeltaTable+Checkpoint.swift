extension DeltaTable {
    /// Reads the classic checkpoint of `version` into a replay state.
    func readCheckpoint(version: Int64) throws -> ReplayState {
        throw DeltaError.unsupportedProtocol(
            table: path, detail: "reading checkpoint \(log.checkpoint(version)) is not implemented yet")
    }
}
