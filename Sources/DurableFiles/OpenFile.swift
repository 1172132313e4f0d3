import SystemPackage

/// An open file for positional I/O (`pread`, `pwrite`, `ftruncate`, `fsync`, `fstat`): the log's
/// segment and index files, which stay open while a writer appends, and streamed outputs.
///
/// ```swift
/// let (segment, created) = try OpenFile.open(path, creating: .ifAbsent)   // 0640 when created
/// defer { segment.close() }
/// try segment.write(bytes, at: try segment.size())
/// try segment.sync()     // after it returns, everything written before survives a power cut
/// if created { try Folder.sync(folder) }   // …and so does the file's name
/// ```
///
/// A thin handle over a `FileDescriptor`: copies share the descriptor; close it once. Positional calls
/// never move a shared file offset, so readers on several threads may use one handle at once.
/// Power cuts: nothing written is durable before ``sync()`` returns; a new file's *name* is durable
/// only after an fsync of its folder (``Folder/sync(_:)``).
public struct OpenFile: Sendable {
    /// What to do when opening a file that does not exist (or does).
    public enum Creation: Sendable {
        /// Open an existing file only (fails with `ENOENT`).
        case never
        /// Create it (mode ``FileModes/file``) when absent, open it as it is otherwise.
        case ifAbsent
        /// Create it; fail with `EEXIST` when the name exists (`O_CREAT | O_EXCL`).
        case exclusive
        /// Create it when absent, and cut it to zero bytes (`O_CREAT | O_TRUNC`).
        case truncating
    }

    /// The descriptor (for calls this type does not wrap, such as `mmap`).
    public let descriptor: FileDescriptor
    /// The path it was opened with (for error messages).
    public let path: String

    init(descriptor: FileDescriptor, path: String) {
        self.descriptor = descriptor
        self.path = path
    }

    /// Opens `path` for reading and writing. `created` says whether the call created the file (its folder
    /// then needs an fsync for the name to survive a power cut). A created file gets mode 0640 whatever
    /// the umask.
    public static func open(_ path: String, creating: Creation) throws(FileError) -> (file: OpenFile, created: Bool) {
        switch creating {
        case .never:
            return (try open(path, .readWrite, options: []), false)
        case .exclusive:
            return (try create(path, options: [.exclusiveCreate]), true)
        case .truncating:
            // Whether it existed does not matter to the caller's folder sync: report it as created.
            return (try create(path, options: [.truncate]), true)
        case .ifAbsent:
            do throws(FileError) {
                return (try create(path, options: [.exclusiveCreate]), true)
            } catch where error.errno == .fileExists {
                return (try open(path, .readWrite, options: []), false)
            }
        }
    }

    /// Opens `path` read-only; nil when it does not exist.
    public static func openForReading(_ path: String) throws(FileError) -> OpenFile? {
        do throws(FileError) {
            return try open(path, .readOnly, options: [])
        } catch where error.isMissing {
            return nil
        }
    }

    static func open(_ path: String, _ mode: FileDescriptor.AccessMode, options: FileDescriptor.OpenOptions) throws(FileError) -> OpenFile {
        do {
            let descriptor = try FileDescriptor.open(FilePath(path), mode, options: options.union(.closeOnExec))
            return OpenFile(descriptor: descriptor, path: path)
        } catch {
            throw FileError(.open, path: path, errno: error as? Errno ?? .ioError)
        }
    }

    /// `O_CREAT` with `options`, then `fchmod` to the policy's mode (the umask may have removed bits).
    static func create(_ path: String, options: FileDescriptor.OpenOptions) throws(FileError) -> OpenFile {
        let file: OpenFile
        do {
            let descriptor = try FileDescriptor.open(
                FilePath(path), .readWrite, options: options.union([.create, .closeOnExec]), permissions: FileModes.file)
            file = OpenFile(descriptor: descriptor, path: path)
        } catch {
            throw FileError(.open, path: path, errno: error as? Errno ?? .ioError)
        }
        if let error = Posix.setMode(file.descriptor, FileModes.file) {
            file.close()
            throw FileError(.chmod, path: path, errno: error)
        }
        return file
    }

    /// The file's size in bytes (`fstat`).
    public func size() throws(FileError) -> Int {
        do throws(Errno) {
            return Int(try descriptor.stat().size)
        } catch {
            throw FileError(.stat, path: path, errno: error)
        }
    }

    /// Reads up to `count` bytes at `position` (fewer at the end of the file).
    public func read(count: Int, at position: Int) throws(FileError) -> [UInt8] {
        guard count > 0 else { return [] }
        var failure: Errno?
        let bytes = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            var done = 0
            while done < count {
                do {
                    let n = try descriptor.read(
                        fromAbsoluteOffset: Int64(position + done),
                        into: UnsafeMutableRawBufferPointer(rebasing: UnsafeMutableRawBufferPointer(buffer)[done...]))
                    if n == 0 { break }
                    done += n
                } catch {
                    failure = error as? Errno ?? .ioError
                    break
                }
            }
            initialized = done
        }
        if let failure { throw FileError(.read, path: path, errno: failure) }
        return bytes
    }

    /// Writes all of `bytes` at `position`, retrying short writes and `EINTR`.
    public func write(_ bytes: UnsafeRawBufferPointer, at position: Int) throws(FileError) {
        let (_, failure) = writeReportingProgress(bytes, at: position)
        if let failure { throw failure }
    }

    /// Writes all of `bytes` at `position`.
    public func write(_ bytes: [UInt8], at position: Int) throws(FileError) {
        let (_, failure) = bytes.withUnsafeBytes { writeReportingProgress($0, at: position) }
        if let failure { throw failure }
    }

    /// Writes as much of `bytes` at `position` as the system takes; returns how many bytes were written
    /// and the error that stopped it, if any (a write that makes no progress counts as `ENOSPC`).
    public func writeReportingProgress(_ bytes: UnsafeRawBufferPointer, at position: Int) -> (written: Int, error: FileError?) {
        var done = 0
        while done < bytes.count {
            do {
                let n = try descriptor.write(
                    toAbsoluteOffset: Int64(position + done), UnsafeRawBufferPointer(rebasing: bytes[done...]))
                if n == 0 { return (done, FileError(.write, path: path, errno: .noSpace)) }
                done += n
            } catch {
                return (done, FileError(.write, path: path, errno: error as? Errno ?? .ioError))
            }
        }
        return (done, nil)
    }

    /// Cuts (or extends with zeros) the file to `length` bytes.
    public func truncate(to length: Int) throws(FileError) {
        do {
            try descriptor.resize(to: Int64(length))
        } catch {
            throw FileError(.truncate, path: path, errno: error as? Errno ?? .ioError)
        }
    }

    /// fsync: once it returns, what was written before survives a power cut. A failure is reported and
    /// never retried into a false success; treat what was written since the last successful sync as lost.
    public func sync() throws(FileError) {
        if let error = Posix.syncFile(descriptor) { throw FileError(.fsync, path: path, errno: error) }
    }

    /// Closes the descriptor (errors ignored: nothing written is lost by a failed close on Linux, and
    /// durability comes from ``sync()``, never from `close`).
    public func close() {
        try? descriptor.close()
    }
}
