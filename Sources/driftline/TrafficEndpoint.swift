import DriftlineCore

/// One simulated model endpoint: what it serves, how often it is called, how fast it answers.
struct TrafficEndpoint: Sendable {
    var name: String
    var model: IrisModel
    /// Mean requests per second of event time.
    var rate: Double
    /// Median model latency.
    var medianLatencyMicroseconds: Double

    /// The demo's endpoints: three classifiers of decreasing quality and one regression.
    static let standardNames = ["iris-good", "iris-fair", "iris-poor", "iris-petal-width"]

    /// The endpoint the demo knows by `name`; any other name serves the `iris-good` classifier.
    static func named(_ name: String) -> TrafficEndpoint {
        switch name {
        case "iris-fair": TrafficEndpoint(name: name, model: IrisModel.fair, rate: 2, medianLatencyMicroseconds: 700)
        case "iris-poor": TrafficEndpoint(name: name, model: IrisModel.poor, rate: 1.5, medianLatencyMicroseconds: 450)
        case "iris-petal-width": TrafficEndpoint(name: name, model: IrisModel.petalWidth, rate: 2.5, medianLatencyMicroseconds: 350)
        default: TrafficEndpoint(name: name, model: IrisModel.good, rate: 4, medianLatencyMicroseconds: 1_100)
        }
    }

    var isRegression: Bool {
        if case .regression = model { return true }
        return false
    }

    /// The request's features: the four measurements, or for the regression the three it predicts from.
    var featureNames: [String] { isRegression ? Array(IrisData.featureNames.prefix(3)) : IrisData.featureNames }

    var schema: ModelSchema {
        get throws {
            try ModelSchema(features: featureNames.map { .numeric($0) },
                            task: isRegression ? .regression : .classification(classes: IrisData.classes))
        }
    }
}

/// What changes from the drift hour on, for the endpoints it affects: a shift of some measurements (in units
/// of their standard deviation over the iris data, like a recalibrated sensor) and a new mix of species.
struct DriftPlan: Sendable {
    /// When the drift starts (event time).
    var start: Timestamp
    /// Indices into `IrisData.featureNames` of the shifted measurements.
    var features: [Int]
    /// The shift, in standard deviations.
    var shift: Double
    /// The species mix after the drift (sums to 1).
    var classMix: [Double]
    /// The endpoints it affects.
    var endpoints: Set<String>
}
