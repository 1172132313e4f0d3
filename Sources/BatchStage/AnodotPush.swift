import DriftlineCore
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Sends metrics to Anodot's metrics API: `POST <url>/api/v1/metrics?token=…&protocol=anodot20` with a
/// JSON array of at most `batchSize` points (1,000, Anodot's advice) per request, in order.
///
/// A request that fails on the connection, times out, or is answered 5xx or 429 is tried again after
/// `firstDelay`, then twice as long each time, up to `attempts` tries; any other 4xx is not retried.
/// The first batch that cannot be delivered stops the push (later ones would meet the same fate), and
/// the report says how many points were accepted. The token never appears in a message.
///
/// ```swift
/// let push = try AnodotPush(url: "https://api.anodot.com", token: token)
/// let report = push.send(AnodotMetrics.metrics(of: analyses))
/// if let failure = report.failure { print(failure) }
/// ```
///
/// The HTTP client is Foundation's `URLSession` (libcurl on Linux, with TLS and the usual proxy variables),
/// so the push adds no package to the build.
public struct AnodotPush: Sendable {
    /// What a push did.
    public struct Report: Sendable, Equatable {
        /// Points in batches the server accepted (2xx).
        public var acceptedPoints = 0
        public var totalPoints = 0
        /// HTTP requests made, retries included.
        public var requests = 0
        /// Requests tried again after a connection error, a timeout, a 5xx or a 429.
        public var retries = 0
        /// Errors Anodot listed in accepted responses (points it refused inside an accepted batch).
        public var rejectedInAcceptedBatches: [String] = []
        /// Why the push stopped early; nil when every batch was accepted.
        public var failure: String?
    }

    /// The endpoint without the token, for messages: `<url>/api/v1/metrics`.
    public let endpoint: String
    let requestURL: URL
    let token: String
    public var batchSize: Int
    public var attempts: Int
    /// Seconds before the first retry (doubled for each further one).
    public var firstDelay: Double
    /// Seconds a request may take.
    public var timeout: Double

    /// `url` is Anodot's base URL (`https://api.anodot.com`); throws when it is not an http(s) URL or the token is empty.
    public init(url: String, token: String, batchSize: Int = 1000, attempts: Int = 5, firstDelay: Double = 0.5,
                timeout: Double = 30) throws(BatchError) {
        let base = url.hasSuffix("/") ? String(url.dropLast()) : url
        guard var components = URLComponents(string: base + "/api/v1/metrics"),
              let scheme = components.scheme?.lowercased(), scheme == "http" || scheme == "https",
              let host = components.host, !host.isEmpty, components.query == nil else {
            throw .invalidArgument(name: "--anodot-url \(url)",
                                   detail: "not an http(s) base URL; give Anodot's, e.g. https://api.anodot.com (without a path or query)")
        }
        guard !token.isEmpty else {
            throw .invalidArgument(name: "--anodot-token-file", detail: "the file holds no token; put the data-collection token in it")
        }
        guard batchSize > 0, attempts > 0 else {
            throw .invalidArgument(name: "batch size and attempts", detail: "must be positive (\(batchSize), \(attempts))")
        }
        endpoint = base + "/api/v1/metrics"
        components.queryItems = [URLQueryItem(name: "token", value: token), URLQueryItem(name: "protocol", value: "anodot20")]
        // '+' is left alone by URLComponents but read as a space by servers.
        components.percentEncodedQuery = components.percentEncodedQuery?.replacingOccurrences(of: "+", with: "%2B")
        guard let requestURL = components.url else {
            throw .invalidArgument(name: "--anodot-url \(url)", detail: "cannot form the metrics URL; check the URL")
        }
        self.requestURL = requestURL
        self.token = token
        self.batchSize = batchSize
        self.attempts = attempts
        self.firstDelay = firstDelay
        self.timeout = timeout
    }

    /// Sends `metrics` in batches of at most `batchSize`; blocks until done.
    public func send(_ metrics: [AnodotMetrics.Metric]) -> Report {
        var report = Report()
        report.totalPoints = metrics.count
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout
        let session = URLSession(configuration: configuration)
        defer { session.finishTasksAndInvalidate() }
        var start = 0
        var batchNumber = 0
        while start < metrics.count {
            let end = min(start + batchSize, metrics.count)
            batchNumber += 1
            let body = Data(JSONValue.array(metrics[start..<end].map(\.jsonValue)).bytes(.foundationCompact))
            var delay = firstDelay
            var outcome = Outcome.retryable("not sent")
            for attempt in 1...attempts {
                report.requests += 1
                outcome = post(body, session: session)
                guard case .retryable = outcome, attempt < attempts else { break }
                report.retries += 1
                Thread.sleep(forTimeInterval: delay)
                delay *= 2
            }
            switch outcome {
            case .accepted(let errors):
                report.acceptedPoints += end - start
                report.rejectedInAcceptedBatches += errors
            case .retryable(let why):
                report.failure = "batch \(batchNumber) (points \(start + 1)-\(end) of \(metrics.count)) failed \(attempts) times, last: \(why)"
                return report
            case .refused(let why):
                report.failure = "batch \(batchNumber) (points \(start + 1)-\(end) of \(metrics.count)) refused, not retried: \(why)"
                return report
            }
            start = end
        }
        return report
    }

    enum Outcome: Sendable {
        /// 2xx, with the errors the body lists.
        case accepted([String])
        case retryable(String)
        case refused(String)
    }

    /// One POST and what its answer means.
    func post(_ body: Data, session: URLSession) -> Outcome {
        var request = URLRequest(url: requestURL)
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = body
        let box = ResponseBox()
        let done = DispatchSemaphore(value: 0)
        let task = session.dataTask(with: request) { data, response, error in
            box.set(data: data, status: (response as? HTTPURLResponse)?.statusCode, error: error)
            done.signal()
        }
        task.resume()
        done.wait()
        let (data, status, error) = box.get()
        if let error { return .retryable(Self.describe(error, endpoint: endpoint)) }
        guard let status else { return .retryable("no HTTP answer from \(endpoint)") }
        let text = redacted(String(decoding: (data ?? Data()).prefix(300), as: UTF8.self))
        switch status {
        case 200..<300: return .accepted(Self.listedErrors(data ?? Data()).map(redacted))
        case 429, 500..<600: return .retryable("HTTP \(status) from \(endpoint)" + (text.isEmpty ? "" : ": \(text)"))
        default:
            let hint = status == 401 || status == 403 ? "; check the token in --anodot-token-file (a data-collection token)" : ""
            return .refused("HTTP \(status) from \(endpoint)" + (text.isEmpty ? "" : ": \(text)") + hint)
        }
    }

    func redacted(_ text: String) -> String { text.replacingOccurrences(of: token, with: "<token>") }

    /// The `errors` Anodot lists in a 2xx answer (points it refused), as text.
    static func listedErrors(_ data: Data) -> [String] {
        guard let answer = try? JSONValue.parse(Array(data)), let errors = answer.object?["errors"]?.array else { return [] }
        return errors.map { $0.text(.foundationCompact) }
    }

    /// A transport error in words (never the URL, which holds the token).
    static func describe(_ error: any Error, endpoint: String) -> String {
        guard let error = error as? URLError else { return "cannot reach \(endpoint) (\(type(of: error)))" }
        let what: String = switch error.code {
        case .cannotConnectToHost: "connection refused"
        case .timedOut: "timed out"
        case .cannotFindHost, .dnsLookupFailed: "host not found"
        case .networkConnectionLost: "connection lost"
        case .notConnectedToInternet: "no network"
        case .secureConnectionFailed, .serverCertificateUntrusted, .serverCertificateHasBadDate,
             .serverCertificateNotYetValid, .serverCertificateHasUnknownRoot: "TLS failed"
        default: "network error"
        }
        return "\(what) at \(endpoint) (URLError \(error.code.rawValue))"
    }
}

/// The completion handler's answer, handed to the waiting thread.
///
/// Why `@unchecked Sendable` is sound: the three stored values are only read and written inside `lock`, and
/// the waiting thread reads them after the handler's `signal()`, so no access is unsynchronised.
private final class ResponseBox: @unchecked Sendable {
    private let lock = NSLock()
    private var data: Data?
    private var status: Int?
    private var error: (any Error)?

    func set(data: Data?, status: Int?, error: (any Error)?) {
        lock.lock()
        defer { lock.unlock() }
        (self.data, self.status, self.error) = (data, status, error)
    }

    func get() -> (Data?, Int?, (any Error)?) {
        lock.lock()
        defer { lock.unlock() }
        return (data, status, error)
    }
}
