import DriftlineCore
import DeltaTable
import Foundation
import Profiles
import Testing
@testable import DriftlineStore

/// Calibration maps in reference files (REFERENCE.md, format version 2).
@Suite struct ReferenceCalibrationTests {
    /// A binary model's reference: `:proba:yes` with the threshold 0.4 as an edge and its calibration map.
    func calibrated() throws -> Reference {
        var numbers = Numbers(seed: 9)
        let p = (0..<3000).map { _ in numbers.uniform() }
        let labels = p.map { numbers.uniform() < $0 }
        var column = try ReferenceColumn.numeric(name: ":proba:yes", values: p, binCount: 10, extraEdge: 0.4)
        let bins = try ReferenceBins(referenceID: "", edges: try #require(column.edges))
        column.calibration = try CalibrationMap(bins: bins, values: p, events: labels)
        return Reference(endpoint: "fraud", modelVersion: "2", createdAt: Timestamp(microsecondsSinceEpoch: t0), binCount: 10,
                         task: .classification(classes: ["no", "yes"], threshold: 0.4),
                         columns: [column, .categorical(name: "region", values: ["eu", "us"])])
    }

    @Test func aCalibratedReferenceIsVersionTwoAndRoundTrips() throws {
        let test = TestStore()
        let reference = try calibrated()
        #expect(reference.fileFormatVersion == 2)
        let column = try #require(reference.column(named: ":proba:yes"))
        #expect(column.edges?.contains(0.4) == true && column.edges?.count == 10)
        let loaded = try Reference.load(path: try reference.save(in: test.store))
        #expect(loaded == reference && loaded.referenceID == reference.referenceID)
        #expect(loaded.column(named: ":proba:yes")?.calibration == column.calibration)
        let text = String(decoding: reference.encoded(), as: UTF8.self)
        #expect(text.contains("\"format_version\": 2,") && text.contains("\"calibration\": {\n        \"labeled\": ["))
    }

    @Test func theMapIsPartOfTheFingerprint() throws {
        let reference = try calibrated()
        var columns = reference.columns
        columns[0].calibration = nil
        let plain = Reference(endpoint: reference.endpoint, modelVersion: reference.modelVersion, createdAt: reference.createdAt,
                              binCount: reference.binCount, task: reference.task, columns: columns)
        #expect(plain.fileFormatVersion == 1 && plain.referenceID != reference.referenceID)
        #expect(String(decoding: plain.encoded(), as: UTF8.self).contains("\"format_version\": 1,"))
    }

    /// Edits of the calibrated document, and the field the error must name.
    enum Edit: String, CaseIterable, Sendable {
        case versionOne, versionThree, oneLabelledCountTooMany, moreEventsThanRows, noLabelledRows, mapWithoutEdges

        var field: String {
            switch self {
            case .versionOne, .versionThree: "format_version"
            default: "columns[0].calibration"
            }
        }

        func apply(_ document: inout [String: Any]) {
            var columns = document["columns"] as? [[String: Any]] ?? []
            var map = columns[0]["calibration"] as? [String: Any] ?? [:]
            var labeled = map["labeled"] as? [Int] ?? [], events = map["events"] as? [Int] ?? []
            switch self {
            case .versionOne: document["format_version"] = 1
            case .versionThree: document["format_version"] = 3
            case .oneLabelledCountTooMany: labeled.append(5)
            case .moreEventsThanRows: events[2] = labeled[2] + 1
            case .noLabelledRows:
                labeled = labeled.map { _ in 0 }
                events = events.map { _ in 0 }
            case .mapWithoutEdges:
                columns[0]["edges"] = NSNull()
                columns[0]["histogram"] = NSNull()
            }
            map["labeled"] = labeled
            map["events"] = events
            columns[0]["calibration"] = map
            document["columns"] = columns
        }
    }

    @Test(arguments: Edit.allCases)
    func badCalibrationsNameTheField(edit: Edit) throws {
        var document = try #require(try JSONSerialization.jsonObject(with: Data(try calibrated().encoded())) as? [String: Any])
        edit.apply(&document)
        let edited = try JSONSerialization.data(withJSONObject: document)
        #expect {
            try Reference(json: Array(edited), file: "r.json")
        } throws: { error in
            guard case let StoreError.malformedReference(file, found, _) = error else { return false }
            return file == "r.json" && found == edit.field
        }
    }

    @Test func aCategoricalColumnCannotCarryAMap() throws {
        let text = String(decoding: try calibrated().encoded(), as: UTF8.self)
            .replacingOccurrences(of: "\"category_counts\": [", with: "\"calibration\": {\"labeled\": [1], \"events\": [0]}, \"category_counts\": [")
        #expect {
            try Reference(json: Array(text.utf8), file: "r.json")
        } throws: { error in
            guard case let StoreError.malformedReference(_, found, _) = error else { return false }
            return found == "columns[1].calibration"
        }
    }
}
