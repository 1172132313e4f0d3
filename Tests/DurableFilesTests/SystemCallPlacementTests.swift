import Foundation
import Testing

/// One module holds every call that creates, renames, links, locks or fsyncs a file: any such call
/// elsewhere in `Sources/` bypasses the permission policy, the fsync rules or the error advice.
@Suite struct SystemCallPlacementTests {
    @Test func noFileSystemCallOutsideDurableFiles() throws {
        let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Sources")
        var offenders: [String] = []
        var scanned = 0
        let walker = FileManager.default.enumerator(atPath: sources.path)
        while let relative = walker?.nextObject() as? String {
            guard relative.hasSuffix(".swift"), !relative.hasPrefix("DurableFiles/") else { continue }
            let text = try String(contentsOfFile: sources.path + "/" + relative, encoding: .utf8)
            scanned += 1
            for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                for call in FileSystemCallScanner.calls(in: String(line)) {
                    offenders.append("Sources/\(relative):\(index + 1): \(call): \(line.trimmingCharacters(in: .whitespaces))")
                }
            }
        }
        #expect(scanned > 100, "found only \(scanned) Swift files under \(sources.path)")
        #expect(offenders.isEmpty, "file-system calls outside Sources/DurableFiles (use DurableFile, Folder, OpenFile or LockFile):\n\(offenders.joined(separator: "\n"))")
    }

    @Test(arguments: [
        ("guard rename(temp, path) == 0 else {", "rename("),
        ("if fsync(fd) != 0 { throw x }", "fsync("),
        ("if link(temporary, path) != 0 {", "link("),
        ("let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)", "open(…O_CREAT…)"),
        ("let d = try FileDescriptor.open(p, .writeOnly, options: [.create], permissions: .ownerReadWrite)", "open(…O_CREAT…)"),
        ("if mkdir(prefix, 0o750) == 0 {", "mkdir("),
        ("try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)", "createDirectory("),
        ("FileManager.default.createFile(atPath: p, contents: nil)", "createFile("),
        ("try data.write(to: URL(fileURLWithPath: path))", ".write(to:"),
        ("try text.write(toFile: path, atomically: true, encoding: .utf8)", ".write(toFile:"),
        ("let h = try FileHandle(forWritingTo: url)", "FileHandle(forWritingTo"),
        ("_ = flock(descriptor, LOCK_EX | LOCK_NB)", "flock("),
        ("if ftruncate(fd, 0) == 0 {", "ftruncate("),
        ("try FileManager.default.moveItem(atPath: a, toPath: b)", "moveItem("),
    ])
    func scannerFlagsEachCall(line: String, call: String) {
        #expect(FileSystemCallScanner.calls(in: line) == [call])
    }

    @Test(arguments: [
        "try writer.write(batch)",
        "row.write(to: &json)",
        "header.write(to: batch)",
        "func truncate(to length: Int) throws(LogError) {",
        "performance.write(to: &out)",
        "throw FileError(.link, path: path, errno: error)",
        "let linked = Posix.hardLink(temporary, to: path)",
        "/// fsync(2) then rename(2): see FILES.md",
        "detail: \"rename(2) failed\")  // fsync( in a comment",
        "let reader = try PartitionReader(partition: path)   // open(path, O_CREAT) in a comment",
        "mutating func beginObject() { open(UInt8(ascii: \"{\")) }",
        "try sink.close()",
    ])
    func scannerIgnoresLookAlikes(line: String) {
        #expect(FileSystemCallScanner.calls(in: line) == [])
    }
}

/// Finds file-system calls in one line of Swift (comments and string literals removed first).
enum FileSystemCallScanner {
    static let patterns: [(name: String, regex: String)] = [
        ("rename(", #"(?<![\w.])rename(at)?\("#),
        ("fsync(", #"(?<![\w.])f(data)?sync\("#),
        ("link(", #"(?<![\w.])(sym)?link(at)?\("#),
        ("mkdir(", #"(?<![\w.])mkdir(at)?\("#),
        ("flock(", #"(?<![\w.])flock\("#),
        ("ftruncate(", #"(?<![\w.])ftruncate\("#),
        ("open(…O_CREAT…)", #"(?<![\w])open(at)?\(.*(O_CREAT|\.create\b)"#),
        ("createDirectory(", #"\bcreateDirectory\("#),
        ("createFile(", #"\bcreateFile\("#),
        // Foundation's `Data.write(to: URL)` / `String.write(to: URL)`, not our encoders' `write(to: &buffer)`.
        (".write(to:", #"\.write\(to:\s*(URL\(|\w*(url|Url|URL)\b)|\.write\(to:.*(atomically:|options:)"#),
        (".write(toFile:", #"\.write\(toFile:"#),
        ("FileHandle(forWritingTo", #"FileHandle\(forWriting(To|AtPath)"#),
        ("FileHandle(forUpdating", #"FileHandle\(forUpdating"#),
        ("moveItem(", #"\b(moveItem|copyItem|linkItem|replaceItem(At)?)\("#),
    ]

    static func calls(in line: String) -> [String] {
        let code = stripped(line)
        return patterns.compactMap { pattern in
            code.range(of: pattern.regex, options: .regularExpression) == nil ? nil : pattern.name
        }
    }

    /// The line without its string literals and its `//` comment.
    static func stripped(_ line: String) -> String {
        var out = ""
        var inString = false
        var previous: Character = " "
        var characters = line.makeIterator()
        while let character = characters.next() {
            if inString {
                if character == "\"" && previous != "\\" { inString = false }
                previous = character == "\\" && previous == "\\" ? " " : character
                continue
            }
            if character == "\"" {
                inString = true
                previous = " "
                out.append("\"\"")
                continue
            }
            if character == "/" && previous == "/" {
                out.removeLast()
                break
            }
            out.append(character)
            previous = character
        }
        return out
    }
}
