/// Which model windows a batch run analyses, and why: candidates collected from the change record
/// (`BatchRun.planChanges`, `planReanalysis`) or the explicit `--from/--to` range, then completed with
/// the windows found in the profiles read (new windows, and the window after each changed one).
struct BatchPlanner {
    typealias Key = HourlyProfiles.Key

    let options: BatchOptions
    let endpoints: Set<String>
    /// Candidate model windows with their reasons (some may turn out to have no profiles).
    private(set) var plan: [Key: Set<AnalysisReason>] = [:]
    /// Changed windows that ended before the lookback, with why.
    private var old: [Key: Set<AnalysisReason>] = [:]
    /// Changed windows that ended before the lookback, in window order.
    var leftAlone: [PlannedWindow] {
        old.keys.sorted().map { PlannedWindow(endpoint: $0.endpoint, modelVersion: $0.modelVersion, window: $0.hour,
                                              reasons: (old[$0] ?? []).sorted()) }
    }
    /// Per endpoint: every complete window with profiles that starts at or after this instant is a candidate.
    private var newSince: [String: (start: Int64, reason: AnalysisReason)] = [:]

    init(options: BatchOptions, endpoints: [String]) {
        self.options = options
        self.endpoints = Set(endpoints)
        if options.explicit {
            for endpoint in endpoints {
                let from = options.fromMicroseconds.map { window(endpoint, $0).startMicroseconds }
                    ?? options.toMicroseconds.map { window(endpoint, $0 - 1).startMicroseconds } ?? Int64.min / 4
                newSince[endpoint] = (from, .requested)
            }
        }
    }

    /// The analysis window of an endpoint's instant.
    func window(_ endpoint: String, _ microseconds: Int64) -> AnalysisHour {
        AnalysisHour(containing: microseconds, granularity: options.settings(for: endpoint).granularity)
    }

    func isComplete(_ window: AnalysisHour) -> Bool { window.endMicroseconds <= options.nowMicroseconds }

    /// Inside the lookback (default runs) or the requested range (`--from/--to`).
    func isInRange(_ window: AnalysisHour) -> Bool {
        if options.explicit {
            return window.startMicroseconds < (options.toMicroseconds ?? Int64.max)
        }
        return window.endMicroseconds > options.nowMicroseconds - options.lookbackMicroseconds
    }

    /// A changed model window: planned when complete and in the lookback, listed as left alone when older.
    /// `wholeHistory`: planned however old (a replaced reference re-judges every window of its model version).
    mutating func add(_ key: Key, reason: AnalysisReason, wholeHistory: Bool = false) {
        guard endpoints.contains(key.endpoint), isComplete(key.hour) else { return }
        guard isInRange(key.hour) || (wholeHistory && !options.explicit) else {
            old[key, default: []].insert(reason)
            return
        }
        plan[key, default: []].insert(reason)
    }

    /// Every complete window (with profiles) of every endpoint (or of `only`) that starts at or after the window holding `instant`.
    mutating func addNewWindows(since instant: Int64, reason: AnalysisReason, only: String? = nil) {
        for endpoint in endpoints where only == nil || only == endpoint {
            let start = window(endpoint, instant).startMicroseconds
            if let existing = newSince[endpoint], existing.start <= start { continue }
            newSince[endpoint] = (start, reason)
        }
    }

    /// The `window_start` range of profile rows to read for an endpoint: its candidates, the window before
    /// each (drift against the previous window) and the one after (it may need re-analysis); nil when none.
    func readRange(endpoint: String) -> Range<Int64>? {
        var lower = Int64.max, upper = Int64.min
        for key in plan.keys where key.endpoint == endpoint {
            lower = min(lower, key.hour.previous.startMicroseconds)
            upper = max(upper, key.hour.next.endMicroseconds)
        }
        // New windows only when one of them can be complete (a day endpoint's current day is not read every hour).
        if let since = newSince[endpoint], window(endpoint, max(since.start, Int64.min / 8)).endMicroseconds <= options.nowMicroseconds {
            let first = window(endpoint, max(since.start, Int64.min / 8))
            let floor = options.explicit ? first : window(endpoint, max(first.startMicroseconds, options.nowMicroseconds - options.lookbackMicroseconds))
            lower = min(lower, floor.previous.startMicroseconds)
            upper = max(upper, options.explicit ? (options.toMicroseconds ?? options.nowMicroseconds) : options.nowMicroseconds)
        }
        upper = min(upper, options.nowMicroseconds)
        guard lower < upper else { return nil }
        return lower..<upper
    }

    /// Adds the new windows found among `found` (the model windows with profiles), then the window after
    /// each window whose profiles changed (its drift against the previous window changes too).
    mutating func complete(with found: Set<Key>) {
        for key in found {
            guard let since = newSince[key.endpoint], key.hour.startMicroseconds >= since.start, isComplete(key.hour) else { continue }
            guard isInRange(key.hour) else { continue }
            plan[key, default: []].insert(since.reason)
        }
        guard !options.explicit else { return }
        let changed: Set<AnalysisReason> = [.new, .lateRows, .labels, .retry]
        for (key, reasons) in plan where !reasons.isDisjoint(with: changed) {
            let next = Key(endpoint: key.endpoint, modelVersion: key.modelVersion, hour: key.hour.next)
            // Only named as the reason when nothing else already plans the next window.
            if found.contains(next), plan[next] == nil, isComplete(next.hour), isInRange(next.hour) { plan[next] = [.previousChanged] }
        }
    }
}
