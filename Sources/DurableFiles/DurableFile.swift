import SystemPackage

/// Whole-file operations, each with a stated guarantee after a power cut (see FILES.md beside this file).
///
/// ```swift
/// try DurableFile.replace("/store/references/iris/3.json", with: bytes)     // old or new, never a mix
/// switch try DurableFile.putIfAbsent("/t/_delta_log/00000000000000000007.json", contents: commit) {
/// case .created: …            // this process won version 7
/// case .alreadyExists: …      // another writer did: nothing was replaced
/// }
/// ```
///
/// Every file is created with mode 0640 (``FileModes``) whatever the umask. Every fsync failure is
/// thrown (``FileError/Operation/fsync`` or ``FileError/Operation/syncFolder``) and never retried: the
/// caller must treat the write as not durable.
public enum DurableFile {
    /// What ``putIfAbsent(_:contents:)`` did.
    public enum PutOutcome: Sendable, Equatable {
        /// The file is now at the name, with the given content, durably.
        case created
        /// A file already had the name; it was left as it was.
        case alreadyExists
    }

    /// Creates `path` with `bytes`, failing with `EEXIST` (operation ``FileError/Operation/open``) when
    /// the name exists (`O_CREAT | O_EXCL`), then fsyncs the file and its folder.
    ///
    /// Power cut: after it returns, the file and its content survive. It writes under the final name, so
    /// a cut *before* it returns can leave the name with part of the content; use
    /// ``putIfAbsent(_:contents:)`` when readers must never see a partial file.
    public static func create(_ path: String, contents bytes: [UInt8]) throws(FileError) {
        try writeNew(bytes, at: path)
        try Folder.sync(Folder.parent(of: path))
    }

    /// Replaces (or creates) `path` atomically: a temporary file in the same folder is written and
    /// fsynced, renamed onto `path`, and the folder fsynced.
    ///
    /// Power cut: after it returns, the new content survives. Before it returns, readers (and the file
    /// after a cut) have the old content or the new one, never a mix. A temporary file
    /// (`.<name>.<random>.tmp`) can be left behind by a cut or a kill; it is never read.
    public static func replace(_ path: String, with bytes: [UInt8]) throws(FileError) {
        let folder = Folder.parent(of: path)
        let temporary = temporaryPath(for: path, in: folder)
        try writeNew(bytes, at: temporary)
        if let error = Posix.move(temporary, to: path) {
            _ = Posix.removeName(temporary)
            throw FileError(.rename, path: path, errno: error)
        }
        try Folder.sync(folder)
    }

    /// Writes `path` only if no file has that name: a temporary file is written and fsynced, then
    /// hard-linked to `path` (`link` fails atomically when the name exists), the temporary unlinked and
    /// the folder fsynced. Never replaces anything.
    ///
    /// Power cut: after it returns `.created`, the file and its content survive. Before, the name is
    /// absent or holds the whole content, never part of it. Of several processes putting the same name
    /// at once, exactly one gets `.created`.
    ///
    /// On a filesystem without hard links (`link` fails with `EPERM`, `ENOTSUP`, `EOPNOTSUPP`, `ENOSYS`
    /// or `EMLINK`: some FUSE and network mounts, FAT) it falls back to ``create(_:contents:)``: still
    /// exclusive and durable once it returns, but a cut before that can leave a partial file at the name.
    ///
    /// A failure with operation ``FileError/Operation/syncFolder`` means the file *is* at the name
    /// (other processes may see it) but may not survive a power cut.
    public static func putIfAbsent(_ path: String, contents bytes: [UInt8]) throws(FileError) -> PutOutcome {
        let folder = Folder.parent(of: path)
        let temporary = temporaryPath(for: path, in: folder)
        try writeNew(bytes, at: temporary)
        let linked = Posix.hardLink(temporary, to: path)
        _ = Posix.removeName(temporary)
        switch linked {
        case nil:
            try Folder.sync(folder)
            return .created
        case .fileExists?:
            return .alreadyExists
        case .notPermitted?, .notSupported?, .notSupportedOnSocket?, .noFunction?, .tooManyLinks?:
            do throws(FileError) {
                try create(path, contents: bytes)
                return .created
            } catch where error.operation == .open && error.errno == .fileExists {
                return .alreadyExists
            }
        case let error?:
            throw FileError(.link, path: path, errno: error)
        }
    }

    /// Moves the file `path` to the new name `destination` (in any folder of the same filesystem)
    /// without ever replacing a file there, if `path` is still the file whose inode is `inode`:
    /// `link` to the new name, `unlink` of the old one, then an fsync of both folders.
    ///
    /// Returns false, changing nothing, when `path` no longer exists or is another file (another
    /// process moved it first, or a writer created a new file under the name since it was examined).
    /// Throws `EEXIST` as a ``FileError`` when `destination` exists.
    ///
    /// Power cut: afterwards the file has both names, or one of them; never neither.
    @discardableResult
    public static func move(_ path: String, to destination: String, ifInode inode: UInt64) throws(FileError) -> Bool {
        guard let before = try statusOrNil(path), before.inode == inode else { return false }
        if let error = Posix.hardLink(path, to: destination) {
            if error == .noSuchFileOrDirectory { return false }
            throw FileError(.link, path: destination, errno: error)
        }
        try Folder.sync(Folder.parent(of: destination))
        // The name may have changed hands between the check and the link: only remove it when it
        // still is the file now also at `destination`.
        guard let linked = try statusOrNil(destination), let current = try statusOrNil(path),
              linked.inode == inode, current.inode == inode else {
            _ = Posix.removeName(destination)
            return false
        }
        if let error = Posix.removeName(path), error != .noSuchFileOrDirectory {
            throw FileError(.unlink, path: path, errno: error)
        }
        try Folder.sync(Folder.parent(of: path))
        return true
    }

    /// The whole content of `path`.
    public static func read(_ path: String) throws(FileError) -> [UInt8] {
        let file = try OpenFile.open(path, .readOnly, options: [])
        defer { file.close() }
        var bytes: [UInt8] = []
        let chunk = 1 << 16
        while true {
            let part = try file.read(count: chunk, at: bytes.count)
            bytes += part
            if part.count < chunk { return bytes }
        }
    }

    /// The whole content of `path`, or nil when it does not exist.
    public static func readIfPresent(_ path: String) throws(FileError) -> [UInt8]? {
        do throws(FileError) {
            return try read(path)
        } catch where error.isMissing {
            return nil
        }
    }

    /// Removes the name `path`; returns false when it did not exist.
    ///
    /// Power cut: the removal survives only after ``Folder/sync(_:)`` of its folder (call it once after
    /// removing several names).
    @discardableResult
    public static func remove(_ path: String) throws(FileError) -> Bool {
        switch Posix.removeName(path) {
        case nil: return true
        case .noSuchFileOrDirectory?: return false
        case let error?: throw FileError(.unlink, path: path, errno: error)
        }
    }

    /// `stat` of `path` (following symbolic links), or nil when nothing has that name.
    public static func status(_ path: String) throws(FileError) -> FileStatus? {
        try statusOrNil(path)
    }

    /// Whether something has the name `path`.
    public static func exists(_ path: String) -> Bool {
        (try? statusOrNil(path)) != nil
    }

    static func statusOrNil(_ path: String) throws(FileError) -> FileStatus? {
        do throws(Errno) {
            return FileStatus(try FilePath(path).stat())
        } catch {
            if error == .noSuchFileOrDirectory || error == .notDirectory { return nil }
            throw FileError(.stat, path: path, errno: error)
        }
    }

    /// `.<name>.<random>.tmp` beside the final name (hidden, so listings of data files skip it).
    static func temporaryPath(for path: String, in folder: String) -> String {
        let random = String(UInt64.random(in: 0...UInt64.max), radix: 36)
        return folder + "/." + Folder.name(of: path) + "." + random + ".tmp"
    }

    /// Creates `path` (which must not exist), writes all of `bytes` and fsyncs it; on failure the file is removed.
    static func writeNew(_ bytes: [UInt8], at path: String) throws(FileError) {
        let file = try OpenFile.create(path, options: [.exclusiveCreate])
        do throws(FileError) {
            try file.write(bytes, at: 0)
            try file.sync()
        } catch {
            file.close()
            _ = Posix.removeName(path)
            throw error
        }
        do {
            try file.descriptor.close()
        } catch {
            _ = Posix.removeName(path)
            throw FileError(.close, path: path, errno: error as? Errno ?? .ioError)
        }
    }
}
