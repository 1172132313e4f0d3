import ArgumentParser
import DriftlineCore
import DriftlineLog
import Foundation

/// `driftline inspect`: prints a log's batches and records.
struct InspectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Print the batches and records of a log.",
        discussion: """
            Reads every partition (<log>/<endpoint>/<writer-id>) and prints each batch
            (partition, base offset, record count, event-time range, stored and
            uncompressed sizes) followed by its records. Corrupt regions and gaps are
            reported and skipped.

            Examples:
              driftline inspect --log ./log --endpoint iris
              driftline inspect --log ./log --json | jq 'select(.type == "label")'
              driftline inspect --log ./log --follow --batches-only
            """
    )

    @Option(name: .customLong("log"), help: ArgumentHelp("The log folder.", valueName: "dir"))
    var logDirectory: String

    @Option(help: "Only this endpoint (default: every endpoint).")
    var endpoint: String?

    @Flag(help: "Keep printing as writers append (new partitions too); stop with Ctrl-C.")
    var follow = false

    @Flag(help: "One JSON object per line (type batch, inference, label, corruption or gap).")
    var json = false

    @Flag(help: "Print batch lines only, not their records.")
    var batchesOnly = false

    func validate() throws {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: logDirectory, isDirectory: &isFolder), isFolder.boolValue else {
            throw ArgumentParser.ValidationError("--log \(logDirectory): no such folder; give the log folder your serving code (or `driftline simulate --log`) writes")
        }
        if let endpoint {
            do { _ = try PathComponent(endpoint, field: "endpoint") } catch { throw ArgumentParser.ValidationError("--endpoint: \(error)") }
            if !follow, let known = KnownEndpoints.inLog(logDirectory), !known.contains(endpoint) {
                throw ArgumentParser.ValidationError(KnownEndpoints.problem(
                    endpoint, known: known, in: logDirectory, remedy: "log with InferenceLogger or `driftline ingest` first, or add --follow to wait"))
            }
        }
    }

    func run() async throws {
        let directory = LogDirectory(logDirectory)
        if follow {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for try await partition in directory.watch(endpoint: endpoint) {
                    group.addTask {
                        let reader = try PartitionReader(partition: partition.path)
                        // Unbuffered, so a pipe sees each event at once.
                        for try await event in reader.follow() {
                            FileHandle.standardOutput.write(Data((render(event, partition: partition) + "\n").utf8))
                        }
                    }
                }
                try await group.waitForAll()
            }
            return
        }
        let partitions = try directory.partitions(endpoint: endpoint)
        if partitions.isEmpty && !json {
            print("no partitions in \(logDirectory)\(endpoint.map { " for endpoint \($0)" } ?? "")")
        }
        var records = 0
        var batches = 0
        for partition in partitions {
            let reader = try PartitionReader(partition: partition.path)
            while true {
                let events = try reader.read()
                if events.isEmpty { break }
                for event in events {
                    if case .records(let batch) = event {
                        batches += 1
                        records += batch.records.count
                    }
                    print(render(event, partition: partition))
                }
            }
        }
        if !json && !partitions.isEmpty {
            print("\(partitions.count) partitions, \(batches) batches, \(records) records")
        }
    }

    func render(_ event: LogEvent, partition: LogDirectory.Partition) -> String {
        switch event {
        case .records(let batch):
            var lines = [json ? RecordText.json(batch: batch, partition: partition) : RecordText.human(batch: batch, partition: partition)]
            if !batchesOnly {
                let schema = batch.manifest.schema
                for (i, record) in batch.records.enumerated() {
                    let offset = batch.firstOffset + Int64(i)
                    lines.append(json
                        ? RecordText.json(record: record, offset: offset, partition: partition, schema: schema)
                        : RecordText.human(record: record, offset: offset, schema: schema))
                }
            }
            return lines.joined(separator: "\n")
        case .corruption(let region):
            return json
                ? RecordText.json(event: "corruption", partition: partition, detail: ["segment": .string(region.segmentPath), "position": .int(Int64(region.position)), "detail": .string(region.description)])
                : "corruption \(partition): \(region)"
        case .gap(let gap):
            return json
                ? RecordText.json(event: "gap", partition: partition, detail: ["from": .int(gap.from), "to": .int(gap.to), "detail": .string(gap.description)])
                : "gap \(partition): \(gap)"
        }
    }
}
