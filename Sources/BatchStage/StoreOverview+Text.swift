/// The overview in a terminal (`driftline status`): per model, one character per window (`.` no drift,
/// `?` possible drift, `!` drift detected, `_` insufficient data; oldest left), then the latest figures.
extension StoreOverview {
    public func text() -> String {
        guard !models.isEmpty else { return "no analysis yet: run driftline batch\n" }
        var out = "status per window, oldest left: . no drift  ? possible drift  ! drift detected  _ insufficient data\n\n"
        for model in models {
            let latest = model.latest
            let marks = String(model.cells.map { Self.mark($0.status) })
            out += "\(model.endpoint) v\(model.modelVersion)  \(marks)\n"
            out += "  latest \(model.cells.last?.label ?? "–"): \(latest.driftStatus), \(latest.requests) requests"
            out += ", accuracy \(HTMLPage.percent(latest.accuracy)), estimated \(HTMLPage.percent(latest.estimatedAccuracy))"
            if latest.estimateReliable == false { out += " (not reliable)" }
            out += "\n"
            if !model.worstFeatures.isEmpty {
                out += "  worst features: " + model.worstFeatures.map { "\($0.column) \($0.status) PSI \(HTMLPage.number($0.psi))" }
                    .joined(separator: "; ") + "\n"
            }
            if !model.qualityAlerts.isEmpty {
                out += "  data quality: \(model.qualityAlerts.count) alert: " + model.qualityAlerts.joined(separator: "; ") + "\n"
            } else if model.qualityChecked {
                out += "  data quality: ok\n"
            }
        }
        return out
    }

    static func mark(_ status: String) -> Character {
        switch status {
        case "no_drift": "."
        case "possible_drift": "?"
        case "drift_detected": "!"
        default: "_"
        }
    }
}
