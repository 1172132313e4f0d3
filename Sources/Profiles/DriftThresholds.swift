/// The thresholds of the drift rule; configurable per pipeline.
public struct DriftThresholds: Sendable, Equatable, Codable {
    public var detectedPSI: Double
    public var detectedPValue: Double
    public var possiblePSI: Double
    public var possiblePValue: Double
    /// Fewer values than this on either side gives `insufficient_data`.
    public var minimumCount: Int64

    public init(detectedPSI: Double = 0.25, detectedPValue: Double = 0.01, possiblePSI: Double = 0.1,
                possiblePValue: Double = 0.05, minimumCount: Int64 = 100) {
        self.detectedPSI = detectedPSI
        self.detectedPValue = detectedPValue
        self.possiblePSI = possiblePSI
        self.possiblePValue = possiblePValue
        self.minimumCount = minimumCount
    }
}
