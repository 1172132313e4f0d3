import Foundation

/// The training data of the demo's models as one CSV: the traffic before any drift, scored by all four models.
///
/// Columns: the four measurements, `species`; per classifier (`good`, `fair`, `poor`) its class probabilities
/// `<model>_<class>` and `<model>_prediction`; `petal_width_prediction` of the regression (whose label is the
/// `petal_width` column). `driftline profile` builds each endpoint's reference from its columns.
///
/// Model outputs are written exactly (the shortest text that reads back as the same `Double`), never
/// rounded: a model on few, discrete inputs (iris-poor reads only the sepal width, measured to 1 mm)
/// serves a few dozen distinct probabilities, the reference's quantile bin edges fall on those very
/// values, and a rounded copy lands on the other side of an edge from what the endpoint serves
/// (4 decimals put every clean hour's `:pred1` of iris-poor at PSI 2).
public enum TrainingTable {
    public static let classifiers: [(prefix: String, model: IrisModel)] = [("good", .good), ("fair", .fair), ("poor", .poor)]

    public static var header: [String] {
        IrisData.featureNames + ["species"]
            + classifiers.flatMap { c in IrisData.classes.map { "\(c.prefix)_\($0)" } + ["\(c.prefix)_prediction"] }
            + ["petal_width_prediction"]
    }

    /// `rows` rows drawn like the endpoints' requests before the drift (even species mix, no errors).
    public static func csv(rows: Int, seed: UInt64) -> String {
        var traffic = IrisTraffic(endpoint: .named("training"), seed: seed, errorRate: 0)
        var lines = [header.joined(separator: ",")]
        lines.reserveCapacity(rows + 1)
        for _ in 0..<rows {
            let inference = traffic.next()
            let x = inference.measurements
            var cells = x.map { String(format: "%.1f", $0) } + [IrisData.classes[inference.species]]
            for c in classifiers {
                guard case .classifier(let w, let b) = c.model else { continue }
                let p = IrisModel.softmax(coefficients: w, intercepts: b, x: x)
                var best = 0
                for k in p.indices where p[k] > p[best] { best = k }
                cells += p.map(exact) + [IrisData.classes[best]]
            }
            if case .regression(let w, let b) = IrisModel.petalWidth {
                cells.append(exact(zip(w, x).reduce(b) { $0 + $1.0 * $1.1 }))
            }
            lines.append(cells.joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The shortest decimal text that parses back to exactly `x` (Swift's `description`).
    public static func exact(_ x: Double) -> String { x.description }
}
