// Test support for the kill -9 test (LoggerKillTests): logs continuously into one partition and prints
// "flushed <n>" each time `flush()` returns, n = records of this run known durable.
// Usage: driftline-logger-child <log-dir> <writer-id> <run> [<records between flushes>]
// Record `i` of run `r` has request id "r-i" and features [r, i]. Without the fourth argument it flushes
// after a random 1…2,000 records; with it, after exactly that many (the logger still hands batches to the
// OS every 100 ms, unsynced: what the power-cut test needs).
import Driftline
import Foundation

let arguments = CommandLine.arguments
guard arguments.count == 4 || arguments.count == 5, let run = Int(arguments[3]) else {
    FileHandle.standardError.write(Data("usage: driftline-logger-child <log-dir> <writer-id> <run> [<records between flushes>]\n".utf8))
    exit(64)
}
let flushEvery = arguments.count == 5 ? Int(arguments[4]) : nil
let schema = try ModelSchema(features: [.numeric("run"), .numeric("index")], task: .classification(classes: ["a", "b"]))
let logger = try InferenceLogger(
    directory: arguments[1], endpoint: "kill", modelVersion: "1", schema: schema,
    options: .init(writerID: arguments[2], bufferBytes: 1 << 20, bufferPolicy: .block(timeout: .seconds(60))))
var logged = 0
while true {
    for _ in 0..<(flushEvery ?? Int.random(in: 1...2000)) {
        try logger.log(features: [.number(Double(run)), .number(Double(logged))], probabilities: [0.5, 0.5],
                       requestID: try RequestID("\(run)-\(logged)"))
        logged += 1
    }
    try await logger.flush()
    FileHandle.standardOutput.write(Data("flushed \(logged)\n".utf8))   // unbuffered: the parent sees it at once
}
