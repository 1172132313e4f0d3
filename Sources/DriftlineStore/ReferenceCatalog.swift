import DurableFiles

/// The references of a store, kept up to date cheaply: `refresh()` lists
/// `<store>/references/<endpoint>/*.json`, re-reads only files whose size, modification time or inode
/// changed, and says what appeared, changed or disappeared. The tail stage calls it when a window
/// opens and uses the new bins from that window on.
///
/// A file that cannot be read is reported in `problems`; the last good version of it (if any) stays in use.
///
/// ```swift
/// var catalog = ReferenceCatalog(store: store)
/// for change in try catalog.refresh() { log.info("reference \(change)") }
/// let bins = catalog.reference(endpoint: "iris", modelVersion: "3")?.bins(column: "sepal_length")
/// ```
public struct ReferenceCatalog: Sendable {
    /// (endpoint, model version).
    public struct Key: Hashable, Sendable, Comparable, CustomStringConvertible {
        public var endpoint: String
        public var modelVersion: String
        public init(endpoint: String, modelVersion: String) {
            self.endpoint = endpoint
            self.modelVersion = modelVersion
        }
        public static func < (a: Key, b: Key) -> Bool { (a.endpoint, a.modelVersion) < (b.endpoint, b.modelVersion) }
        public var description: String { "\(endpoint)/\(modelVersion)" }
    }

    /// What a refresh found.
    public enum Change: Sendable, Equatable, CustomStringConvertible {
        case added(Key, referenceID: String)
        case changed(Key, from: String, to: String)
        case removed(Key)

        public var description: String {
            switch self {
            case let .added(key, id): "\(key) added (reference_id \(id))"
            case let .changed(key, from, to): "\(key) changed (reference_id \(from) → \(to))"
            case let .removed(key): "\(key) removed"
            }
        }
    }

    public let store: Store
    /// The references known, by key.
    public private(set) var references: [Key: Reference] = [:]
    /// Files that could not be read at the last refresh, with the error (path → error).
    public private(set) var problems: [String: StoreError] = [:]
    private var stamps: [String: FileStatus] = [:]

    /// An empty catalog; call `refresh()` to read the store.
    public init(store: Store) { self.store = store }

    /// The reference of a model version, if the store has a readable one.
    public func reference(endpoint: String, modelVersion: String) -> Reference? {
        references[Key(endpoint: endpoint, modelVersion: modelVersion)]
    }

    /// Re-reads what changed since the last call; throws only when the references folder cannot be listed.
    @discardableResult
    public mutating func refresh() throws(StoreError) -> [Change] {
        var seen = Set<Key>()
        var changes: [Change] = []
        var problems: [String: StoreError] = [:]
        for endpoint in try Self.list(store.referencesPath) {
            let folder = store.referencesPath + "/" + endpoint
            for name in try Self.list(folder) where name.hasSuffix(".json") && !name.hasPrefix(".") {
                let modelVersion = String(name.dropLast(5))
                let key = Key(endpoint: endpoint, modelVersion: modelVersion)
                let path = folder + "/" + name
                guard let stamp = try? DurableFile.status(path) else { continue }   // removed while listing
                seen.insert(key)
                if stamps[path] == stamp, references[key] != nil { continue }
                do throws(StoreError) {
                    let reference = try Reference.load(path: path)
                    guard reference.endpoint == endpoint, reference.modelVersion == modelVersion else {
                        throw .malformedReference(
                            file: path, field: "endpoint",
                            detail: "the file is for \(reference.endpoint)/\(reference.modelVersion) but sits at \(endpoint)/\(modelVersion)")
                    }
                    stamps[path] = stamp
                    if let old = references[key] {
                        if old.referenceID != reference.referenceID {
                            changes.append(.changed(key, from: old.referenceID, to: reference.referenceID))
                        }
                    } else {
                        changes.append(.added(key, referenceID: reference.referenceID))
                    }
                    references[key] = reference
                } catch {
                    problems[path] = error
                }
            }
        }
        for key in references.keys.sorted() where !seen.contains(key) {
            references[key] = nil
            changes.append(.removed(key))
        }
        stamps = stamps.filter { path, _ in
            seen.contains { path == store.referencesPath + "/" + $0.endpoint + "/" + $0.modelVersion + ".json" }
        }
        self.problems = problems
        return changes
    }

    /// The sorted names in a folder; empty when it does not exist.
    static func list(_ folder: String) throws(StoreError) -> [String] {
        do throws(FileError) { return try Folder.listIfPresent(folder) } catch { throw StoreError(error) }
    }
}
