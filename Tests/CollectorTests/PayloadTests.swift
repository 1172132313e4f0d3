@testable import Collector
import Driftline
import Foundation
import PipelineFile
import Testing

/// The KServe v1 and Open Inference Protocol fixtures of Tests/interop/fixtures/kserve decode onto the schema.
@Suite struct PayloadTests {
    static func fixture(_ name: String) throws -> [UInt8] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../interop/fixtures/kserve/\(name)").standardized
        return Array(try Data(contentsOf: url))
    }

    static func mapping(_ yaml: String) throws -> EndpointMapping {
        let config = try PipelineFile(yaml: "collect:\n  endpoints:\n    e:\n" + yaml.split(separator: "\n").map { "      " + $0 }.joined(separator: "\n")).collectSection()
        return try EndpointMapping(config.endpoints[0], path: "t")
    }

    static let iris = """
        model_version: "1"
        features: [sepal_length, sepal_width, petal_length, petal_width]
        classes: [setosa, versicolor, virginica]
        """

    static func request(_ bytes: [UInt8], _ mapping: EndpointMapping) throws -> RequestRows {
        try bytes.withUnsafeBytes { raw in try InferencePayload.request(raw, mapping: mapping) }
    }

    static func response(_ bytes: [UInt8], _ mapping: EndpointMapping) throws -> ResponseOutcomes {
        try bytes.withUnsafeBytes { raw in try InferencePayload.response(raw, mapping: mapping) }
    }

    static func rejection(_ body: () throws -> Void) -> RequestRejection? {
        do { try body() } catch let rejection as RequestRejection { return rejection } catch { return nil }
        return nil
    }

    @Test func v1InstancesAndClassIndexPredictions() throws {
        let mapping = try Self.mapping(Self.iris + "\noutput: class_index")
        let rows = try Self.request(try Self.fixture("v1-iris-request.json"), mapping)
        #expect(rows.servingProtocol == .v1)
        #expect(rows.rows == [[6.8, 2.8, 4.8, 1.4], [6.0, 3.4, 4.5, 1.6]])
        let answers = try Self.response(try Self.fixture("v1-iris-response.json"), mapping)
        #expect(answers.outcomes == [.probabilities([0, 1, 0]), .probabilities([0, 1, 0])])
    }

    @Test func v2TensorNestedOrFlatAndProbabilities() throws {
        let mapping = try Self.mapping(Self.iris + "\noutput_tensor: predict_proba")
        let rows = try Self.request(try Self.fixture("v2-tabular-request.json"), mapping)
        #expect(rows.servingProtocol == .v2)
        #expect(rows.rows.count == 3)
        #expect(rows.rows[2] == [7.7, 3.0, 6.1, 2.3])
        let answers = try Self.response(try Self.fixture("v2-tabular-response.json"), mapping)
        #expect(answers.modelVersion == "v2.1")
        #expect(answers.outcomes[1] == .probabilities([0.02, 0.81, 0.17]))
        let flat = Array(#"{"inputs": [{"name": "x", "shape": [1, 4], "datatype": "FP64", "data": [1, 2, 3, 4]}]}"#.utf8)
        #expect(try Self.request(flat, mapping).rows == [[1, 2, 3, 4]])
    }

    @Test func v2OneTensorPerFeatureAndCategoricalCodes() throws {
        let mapping = try Self.mapping("""
            model_version: "1"
            features: [amount, country]
            categorical: [country]
            classes: [legit, fraud]
            output: class_name
            """)
        let body = Array(#"""
            {"inputs": [{"name": "country", "shape": [2], "datatype": "BYTES", "data": ["fr", "de"]},
                        {"name": "amount", "shape": [2, 1], "datatype": "FP32", "data": [[12.5], [80]]}]}
            """#.utf8)
        #expect(try Self.request(body, mapping).rows == [[12.5, "fr"], [80, "de"]])
        let codes = Array(#"{"inputs": [{"name": "m", "shape": [1, 2], "datatype": "FP32", "data": [3, 7.0]}]}"#.utf8)
        #expect(try Self.request(codes, mapping).rows == [[3, "7"]])
        let answer = Array(#"{"outputs": [{"name": "label", "shape": [2], "datatype": "BYTES", "data": ["fraud", "legit"]}]}"#.utf8)
        #expect(try Self.response(answer, mapping).outcomes == [.probabilities([0, 1]), .probabilities([1, 0])])
    }

    /// (body, field named, code)
    static let badRequests: [(String, String, String)] = [
        (#"{"inputs": [{"name": "x", "shape": [2, 4], "datatype": "FP32", "data": [1, 2, 3]}]}"#, "inputs[0]", "wrong_shape"),
        (#"{"inputs": [{"name": "x", "shape": [2, 3], "datatype": "FP32", "data": [1, 2, 3, 4, 5, 6]}]}"#, "inputs[0].shape", "wrong_shape"),
        (#"{"inputs": [{"name": "x", "shape": [1, 4], "datatype": "FLOAT", "data": [1, 2, 3, 4]}]}"#, "inputs[0].datatype", "wrong_shape"),
        (#"{"inputs": [{"name": "x", "shape": [1, 4], "datatype": "FP32", "parameters": {"binary_data_size": 16}, "data": []}]}"#, "inputs[0].parameters.binary_data_size", "unsupported"),
        (#"{"instances": [[1, 2, 3, 4], {"petal_widht": 1}]}"#, "instances[1].petal_widht", "invalid_record"),
        (#"{"something": 1}"#, "request", "wrong_shape"),
        (#"{"instances": [[1, 2, 3, 4]"#, "", "malformed_json"),
    ]

    @Test(arguments: badRequests.indices)
    func badRequestsAreRejectedNamingTheField(_ index: Int) throws {
        let (body, field, code) = Self.badRequests[index]
        let mapping = try Self.mapping(Self.iris)
        let rejection = Self.rejection { _ = try Self.request(Array(body.utf8), mapping) }
        #expect(rejection?.code == code)
        if !field.isEmpty { #expect(rejection?.field == field, "\(String(describing: rejection))") }
        #expect(rejection.map { (400...415).contains($0.status) } == true)
    }

    @Test func responseShapesAreChecked() throws {
        let mapping = try Self.mapping(Self.iris)
        let two = Array(#"{"outputs": [{"name": "a", "shape": [1], "datatype": "INT32", "data": [1]}, {"name": "b", "shape": [1], "datatype": "INT32", "data": [1]}]}"#.utf8)
        #expect(Self.rejection { _ = try Self.response(two, mapping) }?.message.contains("set output_tensor") == true)
        let indexes = try Self.mapping(Self.iris + "\noutput: class_index")
        let outOfRange = Array(#"{"predictions": [3]}"#.utf8)
        #expect(Self.rejection { _ = try Self.response(outOfRange, indexes) }?.field == "predictions[0]")
    }
}
