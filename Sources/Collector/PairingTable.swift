import DequeModule

/// KServe sends each inference as two CloudEvents, the request and the response, sharing `ce-id`, in either
/// order. The table holds the first half until the second arrives, within a timeout and within a bound on
/// entries and bytes, and remembers recently completed ids so that a repeated event is written once.
///
/// Not thread-safe: the ``Collector`` keeps it behind a lock.
struct PairingTable<Part> {
    /// Which half of an inference an event is.
    enum Half: String, Sendable {
        case request, response
    }

    /// What pairs two events: the service, its component and the event id.
    struct Key: Hashable, Sendable {
        var service: String
        var component: String
        var id: String
    }

    /// What happened to an offered event.
    enum Offer {
        /// The first half: held until its other half arrives.
        case waiting
        /// The second half: here is the first one (taken out of the table) and its size.
        case paired(first: Part, bytes: Int)
        /// Seen before (the same half again, or an inference already written): ignored.
        case duplicate
    }

    /// Events dropped without their other half.
    struct Unpaired: Equatable {
        var timedOut = 0
        var evicted = 0
    }

    struct Entry {
        var half: Half
        var part: Part
        var bytes: Int
        var arrived: UInt64
        var sequence: UInt64
    }

    let timeoutNanoseconds: UInt64
    let capacity: Int
    let memoryBytes: Int

    private var entries: [Key: Entry] = [:]
    /// Arrival order, for expiry and eviction; stale items (already paired) are skipped lazily.
    private var order: Deque<(key: Key, sequence: UInt64, arrived: UInt64)> = []
    /// Ids completed recently, with when, for duplicates.
    private var completed: [Key: UInt64] = [:]
    private var completedOrder: Deque<(key: Key, at: UInt64)> = []
    private var nextSequence: UInt64 = 0
    /// Bytes of bodies held.
    private(set) var heldBytes = 0
    /// Counters of events dropped unpaired, by half.
    private(set) var unpaired: [Half: Unpaired] = [.request: Unpaired(), .response: Unpaired()]

    init(timeout: Duration, capacity: Int, memoryBytes: Int) {
        timeoutNanoseconds = UInt64(clamping: max(1, timeout.wholeMicroseconds) * 1000)
        self.capacity = max(1, capacity)
        self.memoryBytes = max(1, memoryBytes)
    }

    /// Events waiting for their other half.
    var pendingCount: Int { entries.count }
    /// Items of the arrival queue (waiting halves plus paired ones not yet compacted away).
    var queuedArrivals: Int { order.count }

    /// Offers one half at monotonic time `now`.
    mutating func offer(_ key: Key, half: Half, part: Part, bytes: Int, now: UInt64) -> Offer {
        expire(now: now)
        if completed[key] != nil { return .duplicate }
        if let entry = entries[key] {
            guard entry.half != half else { return .duplicate }
            entries[key] = nil
            heldBytes -= entry.bytes
            markCompleted(key, now: now)
            if order.count > 2 * entries.count + 1024 { compactOrder() }
            return .paired(first: entry.part, bytes: entry.bytes)
        }
        nextSequence &+= 1
        entries[key] = Entry(half: half, part: part, bytes: bytes, arrived: now, sequence: nextSequence)
        order.append((key, nextSequence, now))
        heldBytes += bytes
        while entries.count > capacity || (heldBytes > memoryBytes && entries.count > 1) {
            guard evictOldest() else { break }
        }
        return .waiting
    }

    /// Puts a taken first half back (the log refused the pair for now: the second half will be retried).
    mutating func restore(_ key: Key, half: Half, part: Part, bytes: Int, now: UInt64) {
        completed[key] = nil
        nextSequence &+= 1
        entries[key] = Entry(half: half, part: part, bytes: bytes, arrived: now, sequence: nextSequence)
        order.append((key, nextSequence, now))
        heldBytes += bytes
    }

    /// Drops halves older than the timeout (counted) and forgets old completed ids.
    mutating func expire(now: UInt64) {
        while let first = order.first, now &- first.arrived >= timeoutNanoseconds || now < first.arrived {
            order.removeFirst()
            guard let entry = entries[first.key], entry.sequence == first.sequence else { continue }
            entries[first.key] = nil
            heldBytes -= entry.bytes
            unpaired[entry.half, default: Unpaired()].timedOut += 1
        }
        while let first = completedOrder.first, now &- first.at >= timeoutNanoseconds || completedOrder.count > capacity {
            completedOrder.removeFirst()
            if completed[first.key] == first.at { completed[first.key] = nil }
        }
    }

    private mutating func evictOldest() -> Bool {
        while let first = order.first {
            order.removeFirst()
            guard let entry = entries[first.key], entry.sequence == first.sequence else { continue }
            entries[first.key] = nil
            heldBytes -= entry.bytes
            unpaired[entry.half, default: Unpaired()].evicted += 1
            return true
        }
        return false
    }

    /// Drops the arrival-order items of halves already paired (they would otherwise stay until the timeout).
    private mutating func compactOrder() {
        order = Deque(order.filter { entries[$0.key]?.sequence == $0.sequence })
    }

    private mutating func markCompleted(_ key: Key, now: UInt64) {
        completed[key] = now
        completedOrder.append((key, now))
    }
}
