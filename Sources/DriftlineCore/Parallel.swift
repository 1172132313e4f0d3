import Dispatch
import Synchronization

/// Runs independent pieces of work on all cores: Parquet's column encodes and decodes, the batch stage's
/// hour-column folds, model-hour analyses and reports, and the tail's partitions. The one concurrent map
/// of the package.
public enum Parallel {
    /// `(0 ..< count).map(body)`, computed concurrently, results in index order; the first error by index is
    /// thrown (a non-throwing `body` makes the call non-throwing).
    public static func map<T, E: Error>(_ count: Int, _ body: (Int) throws(E) -> T) throws(E) -> [T] {
        guard count > 1 else {
            var out: [T] = []
            out.reserveCapacity(max(0, count))
            for i in 0..<max(0, count) { out.append(try body(i)) }
            return out
        }
        let results = UnsafeMutableBufferPointer<Result<T, E>?>.allocate(capacity: count)
        results.initialize(repeating: nil)
        defer {
            results.deinitialize()
            results.deallocate()
        }
        withoutActuallyEscaping(body) { body in
            // Why nonisolated(unsafe) is sound: each iteration writes only its own slot `i`, and `body` is
            // only called (never stored); concurrentPerform returns after every iteration has finished.
            nonisolated(unsafe) let body = body
            nonisolated(unsafe) let results = results
            DispatchQueue.concurrentPerform(iterations: count) { i in
                results[i] = Result { () throws(E) -> T in try body(i) }
            }
        }
        var out: [T] = []
        out.reserveCapacity(count)
        for i in 0..<count {
            // Every slot is filled by concurrentPerform; a missing one is computed here rather than trapped on.
            let result = results[i] ?? Result { () throws(E) -> T in try body(i) }
            out.append(try result.get())
        }
        return out
    }

    /// Runs `body(0) ... body(count - 1)`, at most `width` at once (inline and in order when one would do);
    /// each thread takes the next undone index, so a long task does not hold short ones back. Returns when
    /// all have finished.
    public static func forEach(_ count: Int, width: Int, _ body: (Int) -> Void) {
        let lanes = min(count, max(1, width))
        guard lanes > 1 else {
            for i in 0..<max(0, count) { body(i) }
            return
        }
        let next = Mutex(0)
        withoutActuallyEscaping(body) { body in
            // Why nonisolated(unsafe) is sound: `body` is only called (never stored), each index is handed to one
            // thread by `next`, and concurrentPerform returns after every lane has finished.
            nonisolated(unsafe) let body = body
            DispatchQueue.concurrentPerform(iterations: lanes) { _ in
                while true {
                    let i = next.withLock { value in
                        defer { value += 1 }
                        return value
                    }
                    guard i < count else { return }
                    body(i)
                }
            }
        }
    }
}
