import DriftlineCore
/// A commit found in the log: its version, one application's `txn` in it and its `commitInfo`.
public struct TransactionCommit: Sendable, Hashable {
    public let version: Int64
    public let transaction: AppTransaction
    /// The commit's provenance (empty when it had none).
    public let commitInfo: [String: JSONValue]
}

extension DeltaTable {
    /// The newest commit holding a `txn` of `appId`, found by reading the JSON log backwards from the
    /// latest version. An application that records its progress in `commitInfo` (log positions, say)
    /// reads it back here after a restart. Nil when the application never committed, or when its last
    /// commit is older than the log kept after cleanup (the snapshot still has its `txn` version).
    public func lastCommit(ofApplication appId: String) throws -> TransactionCommit? {
        let listing = try log.list()
        guard try snapshot().transactionVersion(appId: appId) != nil else { return nil }
        for version in listing.commits.reversed() {
            let actions: [Action]
            do {
                actions = try self.actions(version: version)
            } catch DeltaError.io(_, "open", ENOENT) {
                return nil  // cleaned up while we read
            }
            var info: [String: JSONValue] = [:]
            var found: AppTransaction?
            for action in actions {
                switch action {
                case let .txn(transaction) where transaction.appId == appId: found = transaction
                case let .commitInfo(value): info = value
                default: break
                }
            }
            if let found { return TransactionCommit(version: version, transaction: found, commitInfo: info) }
        }
        return nil
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
