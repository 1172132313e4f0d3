import DriftlineCore
import DriftlineLog
import Foundation

/// Reads a partition back with the log's public batch functions: every record, in order, plus any problem.
enum LogReadBack {
    struct Found {
        var records: [LogRecord] = []
        var batches = 0
        var problems: [String] = []
    }

    static func read(partition: String, schema: ModelSchema) -> Found {
        var found = Found()
        let decoder = RecordDecoder(schema: schema)
        let segments = ((try? FileManager.default.contentsOfDirectory(atPath: partition)) ?? [])
            .filter { $0.hasSuffix(".log") }.sorted().map { "\(partition)/\($0)" }
        for path in segments {
            guard let data = FileManager.default.contents(atPath: path) else { continue }
            let bytes = [UInt8](data)
            var at = 0
            while at < bytes.count {
                let result = bytes.withUnsafeBytes { raw -> Result<(BatchHeader, [UInt8]), Batch.Problem> in
                    let rest = UnsafeRawBufferPointer(rebasing: raw[at...])
                    switch Batch.check(rest) {
                    case .failure(let problem): return .failure(problem)
                    case .success(let header): return Batch.payload(of: header, in: rest).map { (header, $0) }
                    }
                }
                switch result {
                case .failure(let problem):
                    found.problems.append("\(path)@\(at): \(problem)")
                    at = bytes.count
                case .success(let (header, payload)):
                    found.batches += 1
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

/// A fresh folder under the system temp folder, removed by `remove()`.
struct TemporaryFolder {
    let path: String

    init(_ prefix: String = "driftline-logger") {
        path = NSTemporaryDirectory() + "\(prefix)-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}

enum Schemas {
    static let iris = try! ModelSchema(
        features: [.numeric("sepal_length"), .numeric("petal_width"), .categorical("region")],
        task: .classification(classes: ["setosa", "versicolor", "virginica"]))
    static let binary = try! ModelSchema(
        features: [.numeric("amount"), .categorical("country")],
        task: .classification(classes: ["legit", "fraud"], threshold: 0.3))
    static let regression = try! ModelSchema(
        features: [.numeric("rooms"), .numeric("age"), .categorical("city")], task: .regression)
}
