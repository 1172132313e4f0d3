import Yams

extension PipelineConfig {
    /// The keys the batch reads, per level; `tail` and `collect` are other commands' sections (each checks
    /// its own keys).
    static let topKeys = ["defaults", "endpoints", "tail", "collect"]
    static let sectionKeys = ["bins", "granularity", "thresholds", "quality"]
    static let qualityKeys = ["missing_share_increase", "outside_range_share", "unseen_share", "pvalue", "minimum_count", "model_status"]
    static let thresholdKeys = ["drift_detected_psi", "drift_detected_pvalue", "possible_drift_psi", "possible_drift_pvalue", "minimum_count"]

    /// Refuses a key the batch does not know (a typo such as `treshold:` would otherwise be ignored and the
    /// defaults silently used), as `driftline tail` refuses unknown keys of its `tail:` section.
    static func checkKeys(_ yaml: String, path: String) throws(BatchError) {
        let document: Any?
        do { document = try Yams.load(yaml: yaml) } catch { return }  // the decoder reports the syntax error
        guard let top = document as? [String: Any] else { return }
        func check(_ node: Any?, known: [String], scope: String) throws(BatchError) {
            guard let mapping = node as? [String: Any] else { return }
            for key in mapping.keys.sorted() where !known.contains(key) {
                throw .config(path: path, detail: "unknown key \(scope.isEmpty ? "" : "\(scope).")\(key) (known: \(known.joined(separator: ", ")))")
            }
        }
        func checkSection(_ node: Any?, scope: String) throws(BatchError) {
            try check(node, known: sectionKeys, scope: scope)
            try check((node as? [String: Any])?["thresholds"], known: thresholdKeys, scope: "\(scope).thresholds")
            try check((node as? [String: Any])?["quality"], known: qualityKeys, scope: "\(scope).quality")
        }
        try check(top, known: topKeys, scope: "")
        try checkSection(top["defaults"], scope: "defaults")
        for (name, section) in (top["endpoints"] as? [String: Any] ?? [:]).sorted(by: { $0.key < $1.key }) {
            try checkSection(section, scope: "endpoints.\(name)")
        }
    }
}
