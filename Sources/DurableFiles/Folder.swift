import SystemPackage

/// Folder operations: durable `mkdir -p`, folder fsync, listing.
///
/// A file's *name* lives in its folder: creating, renaming or removing a file changes the folder, and
/// that change survives a power cut only once the folder is fsynced. The whole-file calls of
/// ``DurableFile`` do this themselves; callers of ``OpenFile`` or ``DurableFile/remove(_:)`` call
/// ``sync(_:)`` (once for many names in one folder).
public enum Folder {
    /// Creates `path` and its missing parents with mode 0750 (whatever the umask), fsyncing each parent
    /// that gained an entry, and returns the folders it created, outermost first (empty when `path`
    /// already was a folder).
    ///
    /// After it returns, every folder on the path survives a power cut. Two processes creating the same
    /// folders at once both succeed. A part of the path that is a file fails with `ENOTDIR`.
    @discardableResult
    public static func create(_ path: String) throws(FileError) -> [String] {
        if let status = try? DurableFile.statusOrNil(path), status.isFolder { return [] }
        var created: [String] = []
        var prefix = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/", omittingEmptySubsequences: true) {
            prefix += "/" + component
            if let error = Posix.makeFolder(prefix, FileModes.folder) {
                guard error == .fileExists else { throw FileError(.mkdir, path: prefix, errno: error) }
                guard let status = try DurableFile.statusOrNil(prefix), status.isFolder else {
                    throw FileError(.mkdir, path: prefix, errno: .notDirectory)
                }
                continue
            }
            if let error = Posix.setMode(prefix, FileModes.folder) { throw FileError(.chmod, path: prefix, errno: error) }
            created.append(prefix)
        }
        // Deepest first: a parent's entry for a child is synced after the child's own entries.
        for folder in Set(created.map(parent(of:))).sorted(by: { $0.count > $1.count }) {
            try sync(folder)
        }
        return created
    }

    /// fsync of a folder: after it returns, the names created, renamed or removed in it before the call
    /// survive a power cut. A failure is reported (operation ``FileError/Operation/syncFolder``), never retried.
    public static func sync(_ path: String) throws(FileError) {
        let folder: FileDescriptor
        do {
            folder = try FileDescriptor.open(FilePath(path), .readOnly, options: [.directory, .closeOnExec])
        } catch {
            throw FileError(.open, path: path, errno: error as? Errno ?? .ioError)
        }
        defer { try? folder.close() }
        if let error = Posix.syncFile(folder) { throw FileError(.syncFolder, path: path, errno: error) }
    }

    /// The names in `path` (without `.` and `..`), sorted; throws `ENOENT` when it does not exist.
    public static func list(_ path: String) throws(FileError) -> [String] {
        switch Posix.list(path) {
        case .success(let names): return names.sorted()
        case .failure(let error): throw FileError(.list, path: path, errno: error)
        }
    }

    /// The names in `path`, sorted; empty when it does not exist (or is not a folder).
    public static func listIfPresent(_ path: String) throws(FileError) -> [String] {
        do throws(FileError) {
            return try list(path)
        } catch where error.errno == .noSuchFileOrDirectory || error.errno == .notDirectory {
            return []
        }
    }

    /// Whether `path` is a folder.
    public static func exists(_ path: String) -> Bool {
        (try? DurableFile.statusOrNil(path))?.isFolder ?? false
    }

    /// The folder part of a path: `/a/b` for `/a/b/c`, `/` for `/a`, `.` for a bare name.
    public static func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    /// The last component of a path (`c` for `/a/b/c`).
    public static func name(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return path }
        return String(path[path.index(after: slash)...])
    }
}
