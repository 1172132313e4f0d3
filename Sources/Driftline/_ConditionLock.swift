#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A pthread mutex guarding a value, with two condition variables on the monotonic clock.
///
/// Why not `Mutex`: the writer thread and blocked callers must *wait* for each other with a timeout,
/// which needs condition variables. The value lives behind a pointer so `withLock` hands it out
/// `inout` without the dynamic exclusivity check of a class property.
///
/// Why `@unchecked Sendable` is sound: the pointers are `let`s set in `init` and freed in `deinit`; the
/// value behind ``value`` is reached only inside `withLock`/`withLockIfAvailable`, with the mutex held
/// (the waits release and retake it inside the same call), so no two threads touch it at once.
final class _ConditionLock<Value>: @unchecked Sendable {
    /// Which condition to wait on or signal.
    enum Condition {
        /// The writer thread waits here for work.
        case writer
        /// Callers blocked by a full buffer, and flushes waiting synchronously, wait here.
        case callers
    }

    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let writerCondition: UnsafeMutablePointer<pthread_cond_t>
    private let callersCondition: UnsafeMutablePointer<pthread_cond_t>
    private let value: UnsafeMutablePointer<Value>

    init(_ initial: Value) {
        mutex = .allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        #if canImport(Glibc)
        pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
        #endif
        writerCondition = .allocate(capacity: 1)
        pthread_cond_init(writerCondition, &attributes)
        callersCondition = .allocate(capacity: 1)
        pthread_cond_init(callersCondition, &attributes)
        pthread_condattr_destroy(&attributes)
        value = .allocate(capacity: 1)
        value.initialize(to: initial)
    }

    deinit {
        value.deinitialize(count: 1)
        value.deallocate()
        pthread_cond_destroy(writerCondition)
        writerCondition.deallocate()
        pthread_cond_destroy(callersCondition)
        callersCondition.deallocate()
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    @inline(__always)
    func withLock<R, E: Error>(_ body: (inout Value) throws(E) -> R) throws(E) -> R {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&value.pointee)
    }

    /// Runs `body` if the lock is free right now; returns nil without waiting when another thread holds it.
    @inline(__always)
    func withLockIfAvailable<R>(_ body: (inout Value) -> R) -> R? {
        guard pthread_mutex_trylock(mutex) == 0 else { return nil }
        defer { pthread_mutex_unlock(mutex) }
        return body(&value.pointee)
    }

    /// Takes the lock, waits on `condition` while `needsWait` holds (at most until `deadline`, monotonic
    /// nanoseconds), then runs `body`. Each closure gets its own short access to the value, none spans a wait.
    func withLock<R, E: Error>(
        waitingOn condition: Condition, untilNanoseconds deadline: UInt64?, while needsWait: (inout Value) -> Bool,
        _ body: (inout Value) throws(E) -> R
    ) throws(E) -> R {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        while needsWait(&value.pointee) {
            if let deadline, MonotonicClock.nanoseconds() >= deadline { break }
            wait(condition, untilNanoseconds: deadline)
        }
        return try body(&value.pointee)
    }

    /// Waits on `condition` until signalled or until `deadline` (monotonic nanoseconds) passes.
    /// Call only inside `withLock`; the lock is released while waiting. Spurious wake-ups happen: re-check.
    private func wait(_ condition: Condition, untilNanoseconds deadline: UInt64?) {
        let cond = condition == .writer ? writerCondition : callersCondition
        guard let deadline else {
            pthread_cond_wait(cond, mutex)
            return
        }
        var ts = timespec(tv_sec: Int(deadline / 1_000_000_000), tv_nsec: Int(deadline % 1_000_000_000))
        #if canImport(Glibc)
        pthread_cond_timedwait(cond, mutex, &ts)
        #else
        // Darwin has no monotonic condvars: wait relative to now.
        let now = MonotonicClock.nanoseconds()
        let delta = deadline > now ? deadline - now : 0
        ts = timespec(tv_sec: Int(delta / 1_000_000_000), tv_nsec: Int(delta % 1_000_000_000))
        pthread_cond_timedwait_relative_np(cond, mutex, &ts)
        #endif
    }

    func signal(_ condition: Condition) {
        pthread_cond_signal(condition == .writer ? writerCondition : callersCondition)
    }

    func broadcast(_ condition: Condition) {
        pthread_cond_broadcast(condition == .writer ? writerCondition : callersCondition)
    }
}

/// Monotonic time in nanoseconds (`CLOCK_MONOTONIC`), for the writer's timers and block timeouts.
enum MonotonicClock {
    @inline(__always)
    static func nanoseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }

    /// `now + duration`, saturating.
    static func deadline(after duration: Duration) -> UInt64 {
        let (seconds, attoseconds) = duration.components
        let nanos = max(0, seconds) &* 1_000_000_000 &+ max(0, attoseconds / 1_000_000_000)
        return nanoseconds() &+ UInt64(clamping: nanos)
    }
}
