import DriftlineCore

/// One simulated model endpoint: what it serves, how often it is called, how fast it answers.
public struct TrafficEndpoint: Sendable {
    public var name: String
    public var model: IrisModel
    /// Mean requests per second of event time.
    public var rate: Double
    /// Median model latency.
    public var medianLatencyMicroseconds: Double

    /// The demo's endpoints: three classifiers of decreasing quality and one regression.
    public static let standardNames = ["iris-good", "iris-fair", "iris-poor", "iris-petal-width"]

    /// The endpoint the demo knows by `name`; any other name serves the `iris-good` classifier.
    public static func named(_ name: String) -> TrafficEndpoint {
        switch name {
        case "iris-fair": TrafficEndpoint(name: name, model: IrisModel.fair, rate: 2, medianLatencyMicroseconds: 700)
        case "iris-poor": TrafficEndpoint(name: name, model: IrisModel.poor, rate: 1.5, medianLatencyMicroseconds: 450)
        case "iris-petal-width": TrafficEndpoint(name: name, model: IrisModel.petalWidth, rate: 2.5, medianLatencyMicroseconds: 350)
        default: TrafficEndpoint(name: name, model: IrisModel.good, rate: 4, medianLatencyMicroseconds: 1_100)
        }
    }

    public var isRegression: Bool {
        if case .regression = model { return true }
        return false
    }

    /// The request's features: the four measurements, or for the regression the three it predicts from.
    public var featureNames: [String] { isRegression ? Array(IrisData.featureNames.prefix(3)) : IrisData.featureNames }

    public var schema: ModelSchema {
        get throws {
            try ModelSchema(features: featureNames.map { .numeric($0) },
                            task: isRegression ? .regression : .classification(classes: IrisData.classes))
        }
    }
}

/// What changes from the drift hour on, for the endpoints it affects: a shift of some measurements (in units
/// of their standard deviation over the iris data, like a recalibrated sensor) and a new mix of species.
public struct DriftPlan: Sendable {
    /// When the drift starts (event time).
    public var start: Timestamp
    /// Indices into `IrisData.featureNames` of the shifted measurements.
    public var features: [Int]
    /// The shift, in standard deviations.
    public var shift: Double
    /// The species mix after the drift (sums to 1).
    public var classMix: [Double]
    /// The endpoints it affects.
    public var endpoints: Set<String>

    public init(start: Timestamp, features: [Int], shift: Double, classMix: [Double], endpoints: Set<String>) {
        self.start = start
        self.features = features
        self.shift = shift
        self.classMix = classMix
        self.endpoints = endpoints
    }
}
