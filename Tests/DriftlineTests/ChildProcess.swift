import Foundation

/// Built executables of this package, found beside the running test bundle.
enum BuiltProducts {
    static var directory: URL {
        if let override = ProcessInfo.processInfo.environment["DRIFTLINE_BIN_DIR"] { return URL(fileURLWithPath: override) }
        let me = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        // .build/<triple>/debug/DriftlinePackageTests.xctest (a file on Linux)
        return me.deletingLastPathComponent()
    }

    static func url(_ name: String) -> URL { directory.appendingPathComponent(name) }

    /// The cross-check tools' package (Tests/interop, built by tools/test): DRIFTLINE_INTEROP_BIN_DIR, else
    /// its default debug folder beside this file.
    static var interopDirectory: URL {
        if let override = ProcessInfo.processInfo.environment["DRIFTLINE_INTEROP_BIN_DIR"] { return URL(fileURLWithPath: override) }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("interop/.build/debug")
    }

    /// An executable of the cross-check tools' package.
    static func interopURL(_ name: String) -> URL { interopDirectory.appendingPathComponent(name) }
}

/// Runs a command to completion and returns (exit status, stdout, stderr).
@discardableResult
func runProcess(_ executable: URL, _ arguments: [String], stdin: Data? = nil) throws -> (status: Int32, out: String, err: String) {
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    // Read both pipes concurrently so a chatty child never blocks on a full pipe.
    let errData = LockedData()
    let errThread = Thread { errData.set(err.fileHandleForReading.readDataToEndOfFile()) }
    errThread.start()
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    while !errData.isSet { usleep(1000) }
    return (process.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: errData.value, as: UTF8.self))
}

final class LockedData: @unchecked Sendable {
    private let lock = NSLock()
    private var data: Data?
    func set(_ value: Data) { lock.withLock { data = value } }
    var isSet: Bool { lock.withLock { data != nil } }
    var value: Data { lock.withLock { data ?? Data() } }
}
