import DriftlineCore
import DurableFiles
import Foundation

/// An error the CLI reports as `Error: <message>` with exit code 1: what failed, on which file or
/// value, and what to do.
struct CommandFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }

    /// Foundation's file errors (printed raw they read `Error Domain=NSCocoaErrorDomain Code=512 "(null)"…`)
    /// as a sentence naming the path, the reason and the remedy; `nil` for any other error.
    static func readable(_ error: any Error, flag: String? = nil, doing action: String? = nil) -> CommandFailure? {
        let ns = error as NSError
        guard ns.domain == NSCocoaErrorDomain || ns.domain == NSPOSIXErrorDomain else { return nil }
        let path = (ns.userInfo[NSFilePathErrorKey] as? String) ?? (ns.userInfo[NSURLErrorKey] as? URL)?.path
        var code: Int32? = ns.domain == NSPOSIXErrorDomain ? Int32(ns.code) : nil
        switch ns.userInfo[NSUnderlyingErrorKey] {
        case let posix as POSIXError: code = posix.code.rawValue
        case let underlying as NSError where underlying.domain == NSPOSIXErrorDomain: code = Int32(underlying.code)
        case let underlying as any Error where (underlying as NSError).domain == NSPOSIXErrorDomain: code = Int32((underlying as NSError).code)
        default: break
        }
        if code == nil {
            switch CocoaError.Code(rawValue: ns.code) {
            case .fileNoSuchFile, .fileReadNoSuchFile: code = ENOENT
            case .fileReadNoPermission, .fileWriteNoPermission: code = EACCES
            case .fileWriteOutOfSpace: code = ENOSPC
            case .fileWriteVolumeReadOnly: code = EROFS
            case .fileWriteFileExists: code = EEXIST
            default: break
            }
        }
        let reason = code.map { FileError.advice(errno: $0) } ?? "\(ns.localizedDescription); check the path and its permissions"
        let subject = [flag, path].compactMap { $0 }.joined(separator: " ")
        return CommandFailure((subject.isEmpty ? "" : "\(subject): ") + (action.map { "cannot \($0): " } ?? "") + reason)
    }

    /// Creates `path` (and its parents, 0750, durably) as a folder, or says which flag's folder cannot be
    /// created and why.
    static func makeFolder(_ path: String, flag: String) throws {
        do throws(FileError) {
            try Folder.create(path)
        } catch {
            throw CommandFailure("\(flag) \(path): cannot create the folder: \(error)")
        }
    }

    /// Writes `data` to `path` (an atomic, durable replace; 0640), or says which flag's file cannot be
    /// written and why.
    static func write(_ data: Data, to path: String, flag: String) throws {
        do throws(FileError) {
            try DurableFile.replace(path, with: Array(data))
        } catch {
            throw CommandFailure("\(flag) \(path): cannot write the file: \(error)")
        }
    }
}
