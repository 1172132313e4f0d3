import Dispatch

/// Runs independent column encodes or decodes on all cores.
enum Parallel {
    /// `(0 ..< count).map(body)`, concurrently; rethrows the first error by index.
    static func map<T>(_ count: Int, _ body: (Int) throws -> T) throws -> [T] {
        let results = UnsafeMutableBufferPointer<Result<T, Error>?>.allocate(capacity: count)
        results.initialize(repeating: nil)
        defer {
            results.deinitialize()
            results.deallocate()
        }
        withoutActuallyEscaping(body) { body in
            nonisolated(unsafe) let body = body
            nonisolated(unsafe) let results = results
            DispatchQueue.concurrentPerform(iterations: count) { i in
                results[i] = Result { try body(i) }
            }
        }
        return try results.map { r in
            guard let r else { throw ParquetError.invalid("a parallel task did not run") }
            return try r.get()
        }
    }
}
