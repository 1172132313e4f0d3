import DriftlineCore

/// The data-quality part of the hour's report: the `quality[]` array of the JSON and the quality table of
/// the HTML page.
extension HourReport {
    /// One data-quality check of one feature (a `quality` table row).
    public struct Quality: Sendable, Equatable {
        /// An unseen category and its count in the window.
        public struct Category: Sendable, Equatable {
            public var value: String
            public var count: Int64
        }

        public var column: String
        public var check: String
        public var value: Double?
        public var baselineValue: Double?
        public var pValue: Double?
        public var status: String
        public var count: Int64
        public var flaggedCount: Int64
        /// `unseen_categories` only.
        public var newCategories: [Category]?
    }
}

extension HourReport.Quality {
    init(_ q: ColumnQuality) {
        column = q.columnName
        check = q.check.rawValue
        value = finite(q.value)
        baselineValue = finite(q.baselineValue)
        pValue = finite(q.pValue)
        status = q.status.rawValue
        count = q.count
        flaggedCount = q.flaggedCount
        newCategories = q.newCategories?.map { Category(value: $0.value, count: $0.count) }
    }

    var jsonValue: JSONValue {
        var json = JSONObject()
        json.member("baseline_value", baselineValue)
        json.member("check", check)
        json.member("column", column)
        json.member("count", count)
        json.member("flagged_count", flaggedCount)
        if let newCategories {
            json["new_categories"] = .array(newCategories.map { category in
                .object([("count", .int(category.count)), ("value", .string(category.value))])
            })
        }
        json.member("p_value", pValue)
        json.member("status", status)
        json.member("value", value)
        return .object(json)
    }
}

extension HourReport {
    /// ` <p class="badge alert">data quality: alert</p>` when the checks ran.
    var qualityBadge: String {
        guard let qualityStatus, quality?.isEmpty == false else { return "" }
        return " <p class=\"badge \(escape(qualityStatus))\">data quality: \(escape(qualityStatus))</p>"
    }

    /// The checks of every feature, alerts first; unseen categories named with their counts.
    func qualityTable() -> String {
        guard let quality, !quality.isEmpty else { return "" }
        var out = "<section><h2>Data quality (against the reference)</h2><table><thead><tr><th>column</th><th>check</th><th>status</th>"
            + "<th>share</th><th>reference share</th><th>p</th><th>flagged</th><th>of</th><th>new values</th></tr></thead><tbody>"
        let rank = [QualityStatus.alert.rawValue: 0, QualityStatus.ok.rawValue: 1]
        let ordered = quality.enumerated().sorted { (rank[$0.element.status] ?? 2, $0.offset) < (rank[$1.element.status] ?? 2, $1.offset) }
        for row in ordered.map(\.element) {
            let named = (row.newCategories ?? []).map { "\($0.value) (\($0.count))" }.joined(separator: ", ")
            out += "<tr class=\"\(escape(row.status))\"><td>\(escape(row.column))</td><td>\(escape(row.check.replacingOccurrences(of: "_", with: " ")))</td>"
                + "<td>\(escape(row.status.replacingOccurrences(of: "_", with: " ")))</td><td>\(escape(percent(row.value)))</td>"
                + "<td>\(escape(percent(row.baselineValue)))</td><td>\(escape(number(row.pValue)))</td>"
                + "<td>\(row.flaggedCount)</td><td>\(row.count)</td><td>\(escape(named))</td></tr>"
        }
        return out + "</tbody></table></section>"
    }
}
