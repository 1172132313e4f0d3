import DriftlineCore
import DriftlineLog
import Foundation

/// Walks a partition's segment files directly with the public batch functions (independent of `PartitionReader`).
enum SegmentWalk {
    struct Found {
        var records: [LogRecord] = []
        var baseOffsets: [Int64] = []
        var problems: [String] = []
    }

    static func segments(_ partition: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: partition)) ?? [])
            .filter { $0.hasSuffix(".log") }.sorted().map { "\(partition)/\($0)" }
    }

    static func read(_ partition: String, schema: ModelSchema = Sample.schema) -> Found {
        var found = Found()
        let decoder = RecordDecoder(schema: schema)
        for path in segments(partition) {
            guard let data = FileManager.default.contents(atPath: path) else { continue }
            let bytes = [UInt8](data)
            var at = 0
            while at < bytes.count {
                let result = bytes.withUnsafeBytes { raw -> Result<(BatchHeader, [UInt8]), Batch.Problem> in
                    let rest = UnsafeRawBufferPointer(rebasing: raw[at...])
                    switch Batch.check(rest) {
                    case .failure(let p): return .failure(p)
                    case .success(let h): return Batch.payload(of: h, in: rest).map { (h, $0) }
                    }
                }
                switch result {
                case .failure(let p):
                    found.problems.append("\(path)@\(at): \(p)")
                    at = bytes.count
                case .success(let (header, payload)):
                    found.baseOffsets.append(header.baseOffset)
                    do {
                        found.records += try decoder.decodeAll(payload)
                    } catch {
                        found.problems.append("\(path)@\(at): \(error)")
                    }
                    at += header.totalLength
                }
            }
        }
        return found
    }
}
