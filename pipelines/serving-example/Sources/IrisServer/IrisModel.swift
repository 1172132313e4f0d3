import Foundation

/// A multinomial logistic regression read from `model.json`: p = softmax(W·x + b).
struct IrisModel: Sendable, Decodable {
    var name: String
    var version: String
    var features: [String]
    var classes: [String]
    var coefficients: [[Double]]
    var intercepts: [Double]

    /// Reads and checks the model file.
    static func load(path: String) throws -> IrisModel {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ServerError("cannot read the model file \(path): give its path with --model")
        }
        let model: IrisModel
        do {
            model = try JSONDecoder().decode(IrisModel.self, from: data)
        } catch {
            throw ServerError("the model file \(path) is not a model JSON (\(error)); regenerate it with tools/fit-iris-models.py")
        }
        guard model.classes.count >= 2, model.coefficients.count == model.classes.count,
              model.intercepts.count == model.classes.count,
              model.coefficients.allSatisfy({ $0.count == model.features.count }) else {
            throw ServerError("the model file \(path): coefficients must be \(model.classes.count) rows of \(model.features.count) numbers and intercepts \(model.classes.count) numbers")
        }
        return model
    }

    /// Class probabilities for one row of features, in `classes` order.
    func probabilities(_ x: [Double]) -> [Double] {
        var scores = intercepts
        for k in scores.indices {
            for j in x.indices { scores[k] += coefficients[k][j] * x[j] }
        }
        let top = scores.max() ?? 0
        let weights = scores.map { exp($0 - top) }
        let total = weights.reduce(0, +)
        return weights.map { $0 / total }
    }
}

/// A startup or configuration failure, said so that the operator knows what to do.
struct ServerError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
