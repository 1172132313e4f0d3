import DurableFiles

/// Names and listing of the files in a table's `_delta_log` folder.
struct LogFiles: Sendable {
    let table: String

    var directory: String { table + "/_delta_log" }
    var lastCheckpoint: String { directory + "/_last_checkpoint" }

    func commit(_ version: Int64) -> String { directory + "/" + Self.padded(version) + ".json" }
    func checkpoint(_ version: Int64) -> String { directory + "/" + Self.padded(version) + ".checkpoint.parquet" }

    static func padded(_ version: Int64) -> String {
        let digits = String(version)
        return String(repeating: "0", count: max(0, 20 - digits.count)) + digits
    }

    /// What the folder holds: commit versions and classic checkpoint versions, both ascending.
    struct Listing {
        var commits: [Int64] = []
        var checkpoints: [Int64] = []
        /// Other entries that count as log files for cleanup (`.crc`, multi-part checkpoints), by version.
        var others: [(version: Int64, name: String)] = []
        /// Temporary files of DurableFiles' `replace` and `putIfAbsent` (`.<name>.<random>.tmp`), left behind by a writer that died.
        var temporaries: [String] = []
    }

    /// Lists the log; a missing folder lists as empty.
    func list() throws -> Listing {
        guard DurableFile.exists(directory) else { return Listing() }
        var listing = Listing()
        for name in try deltaIO({ try Folder.list(directory) }) {
            if name.hasPrefix("."), name.hasSuffix(".tmp") {
                listing.temporaries.append(name)
                continue
            }
            guard name.utf8.count > 20, let version = Self.version(prefixOf: name) else { continue }
            let suffix = name.dropFirst(20)
            switch suffix {
            case ".json": listing.commits.append(version)
            case ".checkpoint.parquet": listing.checkpoints.append(version)
            default:
                if suffix.hasPrefix(".crc") || suffix.hasPrefix(".checkpoint.") { listing.others.append((version, name)) }
            }
        }
        listing.commits.sort()
        listing.checkpoints.sort()
        return listing
    }

    /// The version of a name starting with 20 digits.
    static func version(prefixOf name: String) -> Int64? {
        var value: Int64 = 0
        var count = 0
        for byte in name.utf8 {
            guard count < 20 else { break }
            guard byte >= 48, byte <= 57 else { return nil }
            let (product, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = product.addingReportingOverflow(Int64(byte - 48))
            guard !overflow1, !overflow2 else { return nil }
            value = sum
            count += 1
        }
        return count == 20 ? value : nil
    }
}
