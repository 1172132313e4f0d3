// libFuzzer target for the log's decoders: batch headers, CRC, LZ4 payloads, records, manifests,
// and the PartitionReader over a whole segment file. Built and run by `tools/fuzz log SECONDS`.
//
// The first input byte picks what the rest is fed to:
//   0: a segment file, read by PartitionReader (resync, gaps, torn tails)
//   1: a record payload, decoded against each task kind's schema
//   2: a manifest file
//   3: a batch whose CRC is fixed up first, so mutations reach decompression and record decoding
import DriftlineCore
import DriftlineLog
import Foundation

enum FuzzFixture {
    static let schemas: [ModelSchema] = {
        var result: [ModelSchema] = []
        if let s = try? ModelSchema(features: [.numeric("x"), .categorical("c"), .numeric("y")],
                                    task: .classification(classes: ["a", "b", "c"])) { result.append(s) }
        if let s = try? ModelSchema(features: [.numeric("x"), .categorical("c")],
                                    task: .binaryClassification(classes: ["no", "yes"], threshold: 0.5)) { result.append(s) }
        if let s = try? ModelSchema(features: [.categorical("c"), .numeric("x")], task: .regression) { result.append(s) }
        return result
    }()

    static let manifest = try? PartitionManifest(endpoint: "fuzz", modelVersion: "1", schema: schemas[0])

    /// A partition folder holding the manifest; each input becomes its only segment.
    static let partition: String = {
        let folder = NSTemporaryDirectory() + "/driftline-fuzz-\(getpid())/fuzz/w"
        if let manifest, let writer = try? PartitionWriter(logDirectory: NSTemporaryDirectory() + "/driftline-fuzz-\(getpid())",
                                                           writerID: "w", manifest: manifest) {
            try? writer.close()
        }
        return folder
    }()

    static func records(_ i: Int) -> [LogRecord] {
        let t = Timestamp(microsecondsSinceEpoch: 1_700_000_000_000_000 + Int64(i))
        let id = (try? RequestID("r\(i)")) ?? .none
        return [
            .inference(InferenceRecord(timestamp: t, requestID: id, features: [.number(Double(i)), "eu", .missing],
                                       outcome: .probabilities([0.2, 0.3, 0.5]), latencyMicroseconds: 12, label: .className("b"))),
            .inference(InferenceRecord(timestamp: t, requestID: .none, features: [1, .missing, 2], outcome: .error("oom"))),
            .label(LabelRecord(timestamp: t, requestID: id, label: .className("c"))),
        ]
    }

    /// Writes seed inputs for every mode into `folder`.
    static func writeSeeds(to folder: String) {
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let log = NSTemporaryDirectory() + "/driftline-fuzz-seed-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: log) }
        guard let manifest, let writer = try? PartitionWriter(logDirectory: log, writerID: "seed", manifest: manifest) else { return }
        for i in 0..<6 { _ = try? writer.append(records(i) + (i % 2 == 0 ? records(i + 100) : [])) }
        try? writer.close()
        let segment = (FileManager.default.contents(atPath: "\(writer.folder)/00000000000000000000.log")).map { [UInt8]($0) } ?? []
        func seed(_ name: String, _ mode: UInt8, _ bytes: [UInt8]) {
            FileManager.default.createFile(atPath: "\(folder)/\(name)", contents: Data([mode] + bytes))
        }
        seed("segment", 0, segment)
        if let header = try? segment.withUnsafeBytes({ try Batch.check($0).get() }) {
            seed("batch", 3, Array(segment[..<header.totalLength]))
            if let payload = try? segment.withUnsafeBytes({ try Batch.payload(of: header, in: $0).get() }) { seed("payload", 1, payload) }
        }
        seed("manifest", 2, ManifestFile.encode(manifest))
    }
}

@_cdecl("LLVMFuzzerInitialize")
public func fuzzerInitialize(_ argc: UnsafeMutablePointer<Int32>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> Int32 {
    if let folder = ProcessInfo.processInfo.environment["DRIFTLINE_FUZZ_WRITE_SEEDS"] {
        FuzzFixture.writeSeeds(to: folder)
        exit(0)
    }
    _ = FuzzFixture.partition
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    guard size > 0 else { return 0 }
    let mode = data[0] % 4
    let body = UnsafeRawBufferPointer(start: data + 1, count: size - 1)
    switch mode {
    case 0:
        let path = FuzzFixture.partition + "/00000000000000000000.log"
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o640)
        guard fd >= 0 else { return 0 }
        if let base = body.baseAddress { _ = write(fd, base, body.count) }
        close(fd)
        if let reader = try? PartitionReader(partition: FuzzFixture.partition) {
            var rounds = 0
            while let events = try? reader.read(), !events.isEmpty, rounds < 1000 { rounds += 1 }
        }
    case 1:
        for schema in FuzzFixture.schemas { _ = try? RecordDecoder(schema: schema).decodeAll(body) }
    case 2:
        _ = try? ManifestFile.decode(Array(body), path: "fuzz")
        _ = try? PartitionManifest.decode(body)
    default:
        var batch = Array(body)
        if batch.count >= BatchHeader.size {
            // Fix the CRC so that the mutation is judged by the later checks.
            let crc = batch.withUnsafeBytes { raw -> UInt32 in
                let head = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: raw[..<BatchHeader.crcPosition]))
                return CRC32C.checksum(UnsafeRawBufferPointer(rebasing: raw[BatchHeader.size...]), continuing: head)
            }
            withUnsafeBytes(of: crc.littleEndian) { batch.replaceSubrange(BatchHeader.crcPosition..<BatchHeader.size, with: $0) }
        }
        batch.withUnsafeBytes { raw in
            guard case .success(let header) = Batch.check(raw),
                  case .success(let payload) = Batch.payload(of: header, in: raw) else { return }
            for schema in FuzzFixture.schemas { _ = try? RecordDecoder(schema: schema).decodeAll(payload) }
        }
    }
    return 0
}
