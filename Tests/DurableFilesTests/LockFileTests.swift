import DurableFiles
import Foundation
import Testing

@Suite struct LockFileTests {
    @Test func aSecondAcquireIsToldWhoHoldsTheLock() throws {
        try withScratchFolder { root throws in
            let path = root + "/tail-iris.lock"
            guard case .acquired(let lock) = try LockFile.acquire(path, command: "driftline tail --endpoint iris") else {
                Issue.record("a fresh lock was held")
                return
            }
            #expect(lock.created && lock.path == path)
            guard case .held(let holder) = try LockFile.acquire(path) else {
                Issue.record("the lock was taken twice")
                return
            }
            #expect(holder?.pid == getpid() && holder?.command == "driftline tail --endpoint iris")
            #expect(holder?.description.hasPrefix("pid \(getpid()) on ") == true)
            lock.release()
            lock.release()   // idempotent
            guard case .acquired(let again) = try LockFile.acquire(path, command: "next") else {
                Issue.record("a released lock was still held")
                return
            }
            #expect(!again.created && LockFile.holder(at: path)?.command == "next")
        }
    }

    /// flock(1) in another process cannot take a lock this process holds, and reads who holds it.
    @Test func anotherProcessSeesTheLockAndItsHolder() throws {
        try withScratchFolder { root throws in
            let path = root + "/batch.lock"
            guard case .acquired(let lock) = try LockFile.acquire(path, command: "batch test") else {
                Issue.record("a fresh lock was held")
                return
            }
            let (status, output) = try run("/usr/bin/flock", ["-n", path, "cat", path])
            #expect(status == 1, "flock took a held lock")
            #expect(output.isEmpty)
            lock.release()
            let (freed, text) = try run("/usr/bin/flock", ["-n", path, "cat", path])
            #expect(freed == 0)
            #expect(text.contains("pid \(getpid())\n") && text.contains("command batch test\n"))
        }
    }

    /// A lock held by a real child process: acquire reports it held, naming the child; once the child
    /// exits, the kernel has released it.
    @Test func aLockHeldByAChildProcessNamesTheChild() throws {
        try withScratchFolder { root throws in
            let path = root + "/writer.lock"
            let child = Process()
            child.executableURL = URL(fileURLWithPath: "/bin/sh")
            child.arguments = ["-c", """
                exec 9<>"$1" && /usr/bin/flock -n 9 || exit 3
                printf 'pid %s\\nhost test-host\\nsince 1\\ncommand shell holder\\n' $$ >&9
                echo locked
                read line || true
                """, "sh", path]
            let input = Pipe(), output = Pipe()
            child.standardInput = input
            child.standardOutput = output
            try child.run()
            defer { if child.isRunning { child.terminate() } }
            let ready = output.fileHandleForReading.availableData
            #expect(String(decoding: ready, as: UTF8.self) == "locked\n")
            guard case .held(let holder) = try LockFile.acquire(path) else {
                Issue.record("acquired a lock the child holds")
                return
            }
            #expect(holder == LockHolder(pid: child.processIdentifier, host: "test-host", command: "shell holder", sinceMicroseconds: 1))
            try input.fileHandleForWriting.close()
            child.waitUntilExit()
            #expect(child.terminationStatus == 0)
            guard case .acquired(let lock) = try LockFile.acquire(path) else {
                Issue.record("the dead child's lock was not released")
                return
            }
            lock.release()
        }
    }
}

/// Runs `executable` and returns its exit status and standard output.
func run(_ executable: String, _ arguments: [String]) throws -> (Int32, String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    let output = Pipe()
    process.standardOutput = output
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}
