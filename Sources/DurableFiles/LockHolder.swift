/// Who holds a ``LockFile``, as the holder wrote it into the file.
public struct LockHolder: Sendable, Hashable, CustomStringConvertible {
    /// The holder's process id.
    public var pid: Int32
    /// The host it runs on.
    public var host: String
    /// Its command line (or what the holder chose to say it does).
    public var command: String
    /// When it took the lock, µs since the epoch (UTC).
    public var sinceMicroseconds: Int64

    public init(pid: Int32, host: String, command: String, sinceMicroseconds: Int64) {
        self.pid = pid
        self.host = host
        self.command = command
        self.sinceMicroseconds = sinceMicroseconds
    }

    /// This process, now; `command` defaults to the command line.
    public static func current(command: String? = nil) -> LockHolder {
        LockHolder(pid: Posix.processID, host: Posix.hostName(),
                   command: command ?? CommandLine.arguments.joined(separator: " "),
                   sinceMicroseconds: Posix.nowMicroseconds())
    }

    /// `pid 4242 on host-1 (driftline tail --log …)`.
    public var description: String { "pid \(pid) on \(host) (\(command))" }

    /// The lock file's text: one `key value` line per field.
    var text: String {
        func line(_ value: String) -> String {
            String(value.map { $0.isNewline ? " " : $0 })
        }
        return "pid \(pid)\nhost \(line(host))\nsince \(sinceMicroseconds)\ncommand \(line(command))\n"
    }

    /// Parses ``text``; nil when a field is missing (an empty file: the holder had not written it yet).
    init?(text: String) {
        var fields: [Substring: Substring] = [:]
        for line in text.split(separator: "\n") {
            guard let space = line.firstIndex(of: " ") else { continue }
            fields[line[..<space]] = line[line.index(after: space)...]
        }
        guard let pid = fields["pid"].flatMap({ Int32($0) }) else { return nil }
        self.init(pid: pid, host: fields["host"].map(String.init) ?? "?", command: fields["command"].map(String.init) ?? "?",
                  sinceMicroseconds: fields["since"].flatMap { Int64($0) } ?? 0)
    }
}
