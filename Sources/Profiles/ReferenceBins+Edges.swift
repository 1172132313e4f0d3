extension ReferenceBins {
    /// These bins with `edge` as one more edge (the same bins when it already is one). `driftline profile` adds a
    /// binary model's decision threshold to the bins of the positive class's probability this way, so that every
    /// bin is predicted all positive or all negative (what `PerformanceEstimate.binary` needs).
    public func adding(edge: Double) throws(ProfileError) -> ReferenceBins {
        guard edge.isFinite else { throw .invalidArgument(name: "edge", detail: "\(edge) is not finite") }
        guard !edges.contains(edge) else { return self }
        var edges = self.edges
        edges.insert(edge, at: Self.binIndex(of: edge, edges: edges))
        return try ReferenceBins(referenceID: referenceID, edges: edges)
    }
}
