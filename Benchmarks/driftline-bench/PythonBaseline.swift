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
}
