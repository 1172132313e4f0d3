import Driftline
import ServiceLifecycle

/// Keeps the inference logger open while the server runs; on SIGTERM/SIGINT (after the HTTP server has
/// stopped: the service group shuts services down in reverse order) flushes and closes it.
struct LoggerService: Service {
    let logger: InferenceLogger

    func run() async throws {
        try? await gracefulShutdown()
        do {
            try await logger.flush()
        } catch {
            say("iris-server: the last flush failed: \(error)")
        }
        await logger.close()
        let stats = logger.statistics
        say("iris-server: logger closed: \(stats.logged) logged, \(stats.dropped) dropped, \(stats.batches) batches")
    }
}
