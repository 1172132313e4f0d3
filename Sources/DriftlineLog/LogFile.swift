import DurableFiles

/// An open file of the log: DurableFiles' ``OpenFile`` (positional I/O, 0640 on creation) with its
/// failures reported as ``LogError``.
struct LogFile {
    let file: OpenFile

    var path: String { file.path }

    /// Opens `path` for reading and writing, creating it with mode 0640 (whatever the umask) when absent.
    /// `created` tells whether the file is new (so its folder must be synced).
    static func openForWriting(_ path: String) throws(LogError) -> (file: LogFile, created: Bool) {
        do throws(FileError) {
            let (file, created) = try OpenFile.open(path, creating: .ifAbsent)
            return (LogFile(file: file), created)
        } catch {
            throw LogError(error)
        }
    }

    /// Opens `path` read-only; nil when it does not exist.
    static func openForReading(_ path: String) throws(LogError) -> LogFile? {
        do throws(FileError) {
            return try OpenFile.openForReading(path).map(LogFile.init(file:))
        } catch {
            throw LogError(error)
        }
    }

    func size() throws(LogError) -> Int {
        do throws(FileError) { return try file.size() } catch { throw LogError(error) }
    }

    /// Writes all of `bytes` at `position`, retrying short writes and EINTR.
    func write(_ bytes: UnsafeRawBufferPointer, at position: Int) throws(LogError) {
        let (_, failure) = writeReportingProgress(bytes, at: position)
        if let failure { throw failure }
    }

    /// Writes as much of `bytes` at `position` as the system takes; returns how many bytes were written
    /// and the error that stopped it, if any.
    func writeReportingProgress(_ bytes: UnsafeRawBufferPointer, at position: Int) -> (written: Int, error: LogError?) {
        let (written, failure) = file.writeReportingProgress(bytes, at: position)
        return (written, failure.map { LogError($0) })
    }

    /// Reads up to `count` bytes at `position` (fewer at the end of the file).
    func read(count: Int, at position: Int) throws(LogError) -> [UInt8] {
        do throws(FileError) { return try file.read(count: count, at: position) } catch { throw LogError(error) }
    }

    func truncate(to length: Int) throws(LogError) {
        do throws(FileError) { try file.truncate(to: length) } catch { throw LogError(error) }
    }

    /// fsync; a failure is reported, never retried into a false success.
    func sync() throws(LogError) {
        do throws(FileError) { try file.sync() } catch { throw LogError(error) }
    }

    func close() { file.close() }
}

/// DurableFiles' ``Folder`` calls with failures reported as ``LogError``.
enum LogFolder {
    /// Creates `path` (and missing parents) with mode 0750 whatever the umask, durably (each parent that
    /// gained an entry is fsynced).
    static func create(_ path: String) throws(LogError) {
        do throws(FileError) { try Folder.create(path) } catch { throw LogError(error) }
    }

    /// fsync of a folder, so that files created, renamed or removed in it survive a power cut.
    static func sync(_ path: String) throws(LogError) {
        do throws(FileError) { try Folder.sync(path) } catch { throw LogError(error) }
    }

    /// The names in `path` (without `.` and `..`), sorted; empty when it does not exist.
    static func list(_ path: String) throws(LogError) -> [String] {
        do throws(FileError) { return try Folder.listIfPresent(path) } catch { throw LogError(error) }
    }
}

extension Array where Element == UInt8 {
    /// `withUnsafeBytes` that keeps a typed error.
    func withRawBytes<R, E: Error>(_ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
        try withUnsafeBytes { raw in Result { () throws(E) -> R in try body(raw) } }.get()
    }
}
