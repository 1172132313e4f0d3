import Dispatch

/// Runs a batch's independent pieces of work (hour-column folds, model-hour analyses, reports) on all cores.
enum Parallel {
    /// `(0 ..< count).map(body)`, computed concurrently, results in index order.
    static func map<T>(_ count: Int, _ body: (Int) -> T) -> [T] {
        guard count > 1 else { return (0..<count).map(body) }
        let results = UnsafeMutableBufferPointer<T?>.allocate(capacity: count)
        results.initialize(repeating: nil)
        defer {
            results.deinitialize()
            results.deallocate()
        }
        withoutActuallyEscaping(body) { body in
            nonisolated(unsafe) let body = body
            nonisolated(unsafe) let results = results
            DispatchQueue.concurrentPerform(iterations: count) { i in results[i] = body(i) }
        }
        return results.map { $0! }
    }
}
