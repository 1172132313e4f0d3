import DeltaTable
import DriftlineCore
import DriftlineStore
import Foundation
import Profiles

/// What a team opens first: every endpoint and model version of a store, its status in each of the last
/// analysed windows (hours or days), and its latest figures. Rendered as `<store>/reports/index.html`
/// (``html()``, rewritten by every batch) and in the terminal by `driftline status` (``text()``).
///
/// Built from the `performance`, `drift` and `quality` tables only; a window's cell links to its report when that
/// file exists (the overview never links to a missing page).
public struct StoreOverview: Sendable {
    /// One analysed window of a model.
    public struct Cell: Sendable, Equatable {
        public var windowStartMicroseconds: Int64
        public var windowEndMicroseconds: Int64
        /// `drift_status` of the window.
        public var status: String
        /// The report page, relative to `<store>/reports` (nil when no such file exists).
        public var report: String?

        /// `YYYY-MM-DDTHH` for an hour, `YYYY-MM-DD` for a day (the report's file name stem).
        public var label: String { StoreOverview.label(start: windowStartMicroseconds, end: windowEndMicroseconds) }
    }

    /// A column that moved in the model's latest window, worst first.
    public struct Feature: Sendable, Equatable {
        public var column: String
        public var status: String
        public var psi: Double?
        public var baseline: String
    }

    /// One endpoint and model version.
    public struct Model: Sendable {
        public var endpoint: String
        public var modelVersion: String
        /// The last analysed windows, oldest first (at most ``StoreOverview/windowCount``).
        public var cells: [Cell]
        /// The latest window's `performance` row.
        public var latest: PerformanceRow
        /// The latest window's features by severity, then PSI (those not `no_drift` first; at most three).
        public var worstFeatures: [Feature]
        /// The latest window's data-quality checks in `alert`, as `column check` (sorted); empty when none alerts.
        public var qualityAlerts: [String] = []
        /// Whether the latest window has data-quality checks at all (they need a reference).
        public var qualityChecked = false
    }

    /// How many windows each model shows.
    public static let windowCount = 48

    public var models: [Model]

    /// Reads the overview of `store` (one endpoint when given). A store that has no `performance` table yet
    /// gives an empty overview; nothing is created.
    public static func load(store: Store, endpoint: String? = nil) throws(BatchError) -> StoreOverview {
        guard FileManager.default.fileExists(atPath: store.performancePath + "/_delta_log") else { return StoreOverview(models: []) }
        let performance = try storeCall { () throws(StoreError) in try store.performance().rows(endpoint: endpoint) }
        let byModel = Dictionary(grouping: performance) { ModelKey(endpoint: $0.endpoint, modelVersion: $0.modelVersion) }
        let latestStarts = Set(byModel.values.compactMap { $0.map(\.windowStartMicroseconds).max() })
        var driftRows: [DriftRow] = []
        if let earliest = latestStarts.min(), let latest = latestStarts.max(),
           FileManager.default.fileExists(atPath: store.driftPath + "/_delta_log") {
            driftRows = try storeCall { () throws(StoreError) in
                try store.drift().rows(endpoint: endpoint, from: Timestamp(microsecondsSinceEpoch: earliest),
                                       to: Timestamp(microsecondsSinceEpoch: latest + 1))
            }
        }
        let driftByWindow = Dictionary(grouping: driftRows) {
            WindowKey(model: ModelKey(endpoint: $0.endpoint, modelVersion: $0.modelVersion), start: $0.windowStartMicroseconds)
        }
        var qualityRows: [QualityRow] = []
        if let earliest = latestStarts.min(), let latest = latestStarts.max(),
           FileManager.default.fileExists(atPath: store.qualityPath + "/_delta_log") {
            qualityRows = try storeCall { () throws(StoreError) in
                try store.quality().rows(endpoint: endpoint, from: Timestamp(microsecondsSinceEpoch: earliest),
                                         to: Timestamp(microsecondsSinceEpoch: latest + 1))
            }
        }
        let qualityByWindow = Dictionary(grouping: qualityRows) {
            WindowKey(model: ModelKey(endpoint: $0.endpoint, modelVersion: $0.modelVersion), start: $0.windowStartMicroseconds)
        }
        var models: [Model] = []
        for key in byModel.keys.sorted() {
            let rows = (byModel[key] ?? []).sorted { $0.windowStartMicroseconds < $1.windowStartMicroseconds }
            guard let latest = rows.last else { continue }
            let shown = rows.suffix(windowCount)
            let sharedStarts = sharedWindowStarts(performance, endpoint: key.endpoint)
            let cells = shown.map { row in
                Cell(windowStartMicroseconds: row.windowStartMicroseconds, windowEndMicroseconds: row.windowEndMicroseconds,
                     status: row.driftStatus,
                     report: reportPath(store: store, row: row, shared: sharedStarts.contains(row.windowStartMicroseconds)))
            }
            let features = worstFeatures(driftByWindow[WindowKey(model: key, start: latest.windowStartMicroseconds)] ?? [])
            let checks = qualityByWindow[WindowKey(model: key, start: latest.windowStartMicroseconds)] ?? []
            models.append(Model(endpoint: key.endpoint, modelVersion: key.modelVersion, cells: cells, latest: latest,
                                worstFeatures: features,
                                qualityAlerts: checks.filter { $0.status == "alert" }.map { $0.columnName + " " + $0.check }.sorted(),
                                qualityChecked: !checks.isEmpty))
        }
        return StoreOverview(models: models)
    }

    struct ModelKey: Hashable, Comparable {
        let endpoint: String
        let modelVersion: String
        static func < (a: ModelKey, b: ModelKey) -> Bool {
            (a.endpoint, a.modelVersion) < (b.endpoint, b.modelVersion)
        }
    }

    struct WindowKey: Hashable {
        let model: ModelKey
        let start: Int64
    }

    /// Window starts of `endpoint` analysed for more than one model version (their reports carry `.v<version>`).
    static func sharedWindowStarts(_ rows: [PerformanceRow], endpoint: String) -> Set<Int64> {
        var versions: [Int64: Set<String>] = [:]
        for row in rows where row.endpoint == endpoint { versions[row.windowStartMicroseconds, default: []].insert(row.modelVersion) }
        return Set(versions.filter { $0.value.count > 1 }.keys)
    }

    /// The report of a window relative to `<store>/reports`, if its file exists.
    static func reportPath(store: Store, row: PerformanceRow, shared: Bool) -> String? {
        let stem = row.endpoint + "/" + label(start: row.windowStartMicroseconds, end: row.windowEndMicroseconds)
        let candidates = shared ? [stem + ".v" + row.modelVersion + ".html", stem + ".html"] : [stem + ".html", stem + ".v" + row.modelVersion + ".html"]
        return candidates.first { FileManager.default.fileExists(atPath: store.reportsPath + "/" + $0) }
    }

    /// The features (not the `:` columns) of a window against the reference (else the previous window), worst first.
    static func worstFeatures(_ rows: [DriftRow]) -> [Feature] {
        let baseline = rows.contains { $0.baseline == DriftBaseline.reference.rawValue } ? DriftBaseline.reference.rawValue : DriftBaseline.previous.rawValue
        let features = rows.filter { $0.baseline == baseline && !$0.columnName.hasPrefix(":") }
        func severity(_ status: String) -> Int { DriftStatus(rawValue: status)?.severity ?? 0 }
        let sorted = features.sorted {
            let (a, b) = (severity($0.status), severity($1.status))
            if a != b { return a > b }
            let (p, q) = ($0.psi ?? -1, $1.psi ?? -1)
            if p != q { return p > q }
            return $0.columnName < $1.columnName
        }
        return sorted.prefix(3).map { Feature(column: $0.columnName, status: $0.status, psi: $0.psi, baseline: $0.baseline) }
    }

    /// `YYYY-MM-DDTHH` for a window shorter than a day, `YYYY-MM-DD` for a day or longer (report file stems).
    public static func label(start: Int64, end: Int64) -> String {
        let hourLabel = AnalysisHour(containing: start).label
        return end &- start >= 86_400_000_000 ? String(hourLabel.prefix(10)) : hourLabel
    }
}

extension StoreOverview {
    /// Rewrites `<store>/reports/index.html` from the tables (every endpoint); returns its path, or nil when the
    /// store has no analysis yet.
    @discardableResult
    public static func writeIndex(store: Store) throws(BatchError) -> String? {
        let overview = try load(store: store)
        guard !overview.models.isEmpty else { return nil }
        let path = store.reportsPath + "/index.html"
        try writeOutput(Data(overview.html().utf8), to: path)
        return path
    }
}
