import Foundation

/// Where the Python baselines run: `DRIFTLINE_PYTHON`, else the repository's cross-check venv
/// (`<repository>/.venv/bin/python`, made by tools/setup), found from this file's place in the repository.
enum PythonBaseline {
    static var repository: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    }

    static var interpreter: String {
        ProcessInfo.processInfo.environment["DRIFTLINE_PYTHON"] ?? repository + "/.venv/bin/python"
    }

    /// A script of `tools/` by name.
    static func tool(_ name: String) -> String { repository + "/tools/" + name }

    /// Runs `tools/<script>` with `python`; returns its exit status and standard output.
    static func run(python: String, script: String, arguments: [String]) throws -> (Int32, String) {
        let (status, output, _) = try runCapturing(python: python, script: script, arguments: arguments)
        return (status, output)
    }

    /// Runs `tools/<script>` with `python`; returns its exit status, standard output and standard error
    /// (stderr goes through a temporary file, so that neither pipe can fill up while the other is read).
    static func runCapturing(python: String, script: String, arguments: [String]) throws -> (status: Int32, output: String, errors: String) {
        let errorsPath = NSTemporaryDirectory() + "driftline-bench-stderr-" + UUID().uuidString.lowercased()
        guard FileManager.default.createFile(atPath: errorsPath, contents: nil) else {
            throw BenchCheckFailed("cannot create \(errorsPath) for the baseline's stderr: check that the temporary folder is writable")
        }
        defer { try? FileManager.default.removeItem(atPath: errorsPath) }
        let errors = try FileHandle(forWritingTo: URL(fileURLWithPath: errorsPath))
        defer { try? errors.close() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [tool(script)] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = errors
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let errorText = String(decoding: FileManager.default.contents(atPath: errorsPath) ?? Data(), as: UTF8.self)
        return (process.terminationStatus, output, errorText)
    }

    /// The `RESULT <key> <value>` lines of a baseline's output.
    static func results(_ output: String) -> [String: Double] {
        var found: [String: Double] = [:]
        for line in output.split(separator: "\n") where line.hasPrefix("RESULT ") {
            let parts = line.split(separator: " ")
            if parts.count >= 3, let value = Double(parts[2]) { found[String(parts[1])] = value }
        }
        return found
    }
}

/// A machine-readable figure for `tools/bench-peers`: `RESULT <key> <value>` on its own line.
func benchResult(_ key: String, _ value: Double) {
    print("RESULT \(key) \(value)")
}

/// A benchmark's self-check failed: its figures would not mean what they say.
struct BenchCheckFailed: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
