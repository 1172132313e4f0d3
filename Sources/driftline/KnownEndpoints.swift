import DriftlineLog
import DriftlineStore
import Foundation

/// The endpoints a store or a log holds, so that a mistyped `--endpoint` is refused with the names that exist
/// instead of printing nothing.
enum KnownEndpoints {
    /// The endpoints with rows in `<store>/profiles`; `nil` when the table cannot be read.
    static func inStore(_ root: String) -> [String]? {
        guard let snapshot = try? Store(root: root).profiles().table.snapshot() else { return nil }
        return Set(snapshot.files.compactMap { $0.partitionValues["endpoint"].flatMap { $0 } }).sorted()
    }

    /// The endpoints with a partition in the log folder; `nil` when it cannot be listed.
    static func inLog(_ path: String) -> [String]? { try? LogDirectory(path).endpoints() }

    /// Why `endpoint` is not among `known`, and what to do.
    static func problem(_ endpoint: String, known: [String], in place: String, remedy: String) -> String {
        let listed = known.isEmpty ? "it has none yet: \(remedy)" : "it has \(known.joined(separator: ", ")); check the name"
        return "--endpoint \(endpoint): no such endpoint in \(place) (\(listed))"
    }
}
