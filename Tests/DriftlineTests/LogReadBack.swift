import DriftlineCore
import DriftlineLog
import Foundation

/// Reads a partition back with the log's reader (`PartitionReader`): every record, in order, plus any problem
/// (corrupt region or gap). A batch torn at the very end of the last segment is "not yet written" for the reader.
enum LogReadBack {
    struct Found {
        var records: [LogRecord] = []
        var batches = 0
        var problems: [String] = []
    }

    static func read(partition: String, schema: ModelSchema) -> Found {
        var found = Found()
        do {
            let reader = try PartitionReader(partition: partition)
            while true {
                let events = try reader.read()
                if events.isEmpty { break }
                for event in events {
                    switch event {
                    case .records(let batch):
                        found.batches += 1
                        found.records += batch.records
                        if batch.manifest.schema != schema { found.problems.append("batch at \(batch.firstOffset) has another schema") }
                    case .corruption(let region): found.problems.append("\(region)")
                    case .gap(let gap): found.problems.append("\(gap)")
                    }
                }
            }
        } catch {
            found.problems.append("\(error)")
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
