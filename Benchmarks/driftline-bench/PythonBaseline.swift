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
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [tool(script)] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, output)
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
