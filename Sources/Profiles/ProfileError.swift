/// Everything that can go wrong in the Profiles module, with enough context to act on.
public enum ProfileError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A serialized KLL sketch could not be read; `field` names the part that was wrong.
    case malformedSketch(field: String, detail: String)
    /// Two profiles of different columns were merged.
    case differentColumns(String, String)
    /// A numeric profile was merged with a categorical one (or a row's kind is unknown).
    case differentKinds(column: String, String, String)
    /// Two count vectors (or histograms) do not use the same bins.
    case mismatchedBins(detail: String)
    /// A distance needs at least one value on each side.
    case emptyDistribution(side: String)
    /// A row could not be turned back into a profile.
    case malformedRow(column: String, field: String, detail: String)
    /// An argument is out of its domain (k of a sketch, a threshold, an empty class list…).
    case invalidArgument(name: String, detail: String)

    public var description: String {
        switch self {
        case let .malformedSketch(field, detail):
            "KLL sketch bytes are malformed at \(field): \(detail); the sketch column is corrupt or not a DataSketches KLL doubles sketch: write it with DataSketches' kll_doubles_sketch (compact serialization) or restore the file"
        case let .differentColumns(a, b):
            "cannot merge the profile of column '\(a)' with the profile of column '\(b)'; merge profiles of one column only"
        case let .differentKinds(column, a, b):
            "cannot merge a \(a) profile with a \(b) profile of column '\(column)'; a column keeps its kind within a model version: log a changed model under a new model version"
        case let .mismatchedBins(detail):
            "bins do not match: \(detail); compare counts over the same reference bins"
        case let .emptyDistribution(side):
            "the \(side) distribution has no values; a distance needs at least one value on each side"
        case let .malformedRow(column, field, detail):
            "profile row of column '\(column)' has a bad \(field): \(detail); the row is damaged or was not written by Driftline: restore its data file from a backup"
        case let .invalidArgument(name, detail):
            "invalid \(name): \(detail)"
        }
    }
}
