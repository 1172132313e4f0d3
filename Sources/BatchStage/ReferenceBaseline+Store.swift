import DriftlineStore
import Profiles

extension ReferenceBaseline {
    /// The baseline of a stored reference: its columns as profiles (numeric ones with their exact
    /// training counts over the bins), its bins labelled with its id.
    public init(reference: Reference) throws(ProfileError) {
        let bins = reference.allBins
        var columns: [String: ColumnProfile] = [:]
        for column in reference.columns {
            let profile = try column.profile()
            if let columnBins = bins[column.name], let histogram = column.histogram, let numeric = profile.numeric,
               let exact = try? NumericProfile(moments: numeric.moments, sketch: numeric.sketch, bins: columnBins, histogram: histogram) {
                columns[column.name] = ColumnProfile(columnName: column.name, statistics: .numeric(exact))
            } else {
                columns[column.name] = profile
            }
        }
        var calibrations: [String: CalibrationMap] = [:]
        for column in reference.columns { if let map = column.calibration { calibrations[column.name] = map } }
        self.init(referenceID: reference.referenceID, columns: columns, bins: bins, classes: reference.task?.classes ?? [],
                  calibrations: calibrations, threshold: reference.task?.threshold, isRegression: reference.task?.kind == .regression)
    }
}
