import SystemPackage
import Synchronization

/// An exclusive, non-blocking lock on a file that records who holds it: a `flock`, or with ``Kind/record`` a
/// POSIX record lock (`fcntl`; on Linux of the open file description, `F_OFD_SETLK`), which NFS shares
/// between hosts.
///
/// ```swift
/// switch try LockFile.acquire("/var/lib/driftline/store/locks/batch.lock", command: "driftline batch") {
/// case .acquired(let lock): defer { lock.release() }; …
/// case .held(let holder): print("held by \(holder.map { "\($0)" } ?? "another process")")
/// }
/// ```
///
/// The lock belongs to the open file: it is released by ``release()``, when the value is deinitialized,
/// or when the process dies (even by SIGKILL); a second `acquire` of the same file in the same process
/// finds it held. The holder writes its pid, host, command and start time into the file
/// (``LockHolder``) so that a loser can say who holds it; that text is not fsynced (after a power cut
/// no process holds anything, and the next holder rewrites it).
public final class LockFile: Sendable {
    /// What ``acquire(_:command:)`` found.
    public enum Attempt: Sendable {
        /// This process holds the lock now.
        case acquired(LockFile)
        /// Another holder has it (nil when it has not written its name yet, or the text is unreadable).
        case held(by: LockHolder?)
    }

    /// Which lock a ``LockFile`` takes.
    public enum Kind: Sendable {
        /// `flock(LOCK_EX | LOCK_NB)`: for files of one host (a log partition's `writer.lock`).
        case flock
        /// A POSIX record lock on the whole file (`fcntl`): for files on a filesystem that several hosts
        /// share (the store's locks), where NFS forwards it to the server. On Linux it belongs to the open
        /// file description, so it behaves as `flock` does within a host.
        case record
    }

    /// The lock file.
    public let path: String
    /// The kind of lock held.
    public let kind: Kind
    /// Whether `acquire` created the file (its folder then needs ``Folder/sync(_:)`` for the name to survive a power cut).
    public let created: Bool
    /// The open file holding the `flock`; nil once released.
    private let file: Mutex<OpenFile?>

    private init(path: String, created: Bool, file: OpenFile, kind: Kind) {
        self.path = path
        self.kind = kind
        self.created = created
        self.file = Mutex(file)
    }

    deinit { release() }

    /// Takes the lock at `path` (creating the file, 0640, when absent) without waiting.
    /// - Parameter command: what the holder says it is doing (default: this process's command line).
    /// - Throws: ``FileError`` when the file cannot be opened or locked for another reason than a holder.
    /// - Parameter kind: `flock` (default) or a POSIX record lock (see ``Kind``).
    public static func acquire(_ path: String, command: String? = nil, kind: Kind = .flock) throws(FileError) -> Attempt {
        let (file, created) = try OpenFile.open(path, creating: .ifAbsent)
        let failure = kind == .flock ? Posix.lockOrUnlock(file.descriptor, Posix.lockExclusiveNonBlocking)
            : Posix.recordLock(file.descriptor, exclusive: true)
        if let error = failure {
            let holder = error == .wouldBlock ? Self.holder(in: file) : nil
            file.close()
            guard error == .wouldBlock else { throw FileError(.lock, path: path, errno: error) }
            return .held(by: holder)
        }
        // Best effort: the flock is what matters; the text only makes a loser's message useful.
        let text = Array(LockHolder.current(command: command).text.utf8)
        if (try? file.truncate(to: 0)) != nil { try? file.write(text, at: 0) }
        return .acquired(LockFile(path: path, created: created, file: file, kind: kind))
    }

    /// The holder recorded in the lock file at `path`, or nil when there is none or it is unreadable.
    public static func holder(at path: String) -> LockHolder? {
        guard let file = try? OpenFile.openForReading(path) else { return nil }
        defer { file.close() }
        return holder(in: file)
    }

    static func holder(in file: OpenFile) -> LockHolder? {
        guard let bytes = try? file.read(count: 4096, at: 0), !bytes.isEmpty else { return nil }
        return LockHolder(text: String(decoding: bytes, as: UTF8.self))
    }

    /// Releases the lock (idempotent). The file stays; its text is stale until the next holder.
    public func release() {
        let released = file.withLock { file -> OpenFile? in
            defer { file = nil }
            return file
        }
        guard let released else { return }
        if kind == .flock {
            _ = Posix.lockOrUnlock(released.descriptor, Posix.unlock)
        } else {
            _ = Posix.recordLock(released.descriptor, exclusive: false)
        }
        released.close()
    }
}
