import Foundation

/// A fresh folder under the system temp folder, removed when `body` returns.
func withScratchFolder<R>(_ body: (String) throws -> R) throws -> R {
    let temporary = NSTemporaryDirectory().hasSuffix("/") ? String(NSTemporaryDirectory().dropLast()) : NSTemporaryDirectory()
    var template = Array((temporary + "/durable-files-test-XXXXXX").utf8CString)
    guard let made = mkdtemp(&template) else { throw CocoaError(.fileWriteUnknown) }
    let path = String(cString: made)
    defer { try? FileManager.default.removeItem(atPath: path) }
    return try body(path)
}

/// The permission bits of `path` (`stat`, not through the module under test).
func mode(_ path: String) -> Int {
    var info = stat()
    return stat(path, &info) == 0 ? Int(info.st_mode & 0o777) : -1
}

/// Runs `body` with the process's umask set to `mask` (process-wide: suites that use it are serialized).
func withUmask<R>(_ mask: mode_t, _ body: () throws -> R) rethrows -> R {
    let previous = umask(mask)
    defer { umask(previous) }
    return try body()
}

/// The bytes of a file, read with Foundation (not through the module under test).
func contents(_ path: String) -> [UInt8]? {
    FileManager.default.contents(atPath: path).map { Array($0) }
}
