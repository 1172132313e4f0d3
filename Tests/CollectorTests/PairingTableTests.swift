@testable import Collector
import Testing

@Suite struct PairingTableTests {
    typealias Table = PairingTable<String>
    static func key(_ id: String) -> Table.Key { Table.Key(service: "iris", component: "predictor", id: id) }
    static let second: UInt64 = 1_000_000_000

    @Test func halvesPairInEitherOrder() {
        var table = Table(timeout: .seconds(10), capacity: 100, memoryBytes: 1 << 20)
        guard case .waiting = table.offer(Self.key("a"), half: .request, part: "req-a", bytes: 10, now: 1) else { Issue.record("a"); return }
        guard case .waiting = table.offer(Self.key("b"), half: .response, part: "res-b", bytes: 10, now: 2) else { Issue.record("b"); return }
        guard case .paired(let first, _) = table.offer(Self.key("a"), half: .response, part: "res-a", bytes: 10, now: 3) else { Issue.record("a2"); return }
        #expect(first == "req-a")
        guard case .paired(let other, _) = table.offer(Self.key("b"), half: .request, part: "req-b", bytes: 10, now: 4) else { Issue.record("b2"); return }
        #expect(other == "res-b")
        #expect(table.pendingCount == 0 && table.heldBytes == 0)
    }

    @Test func repeatsAreDuplicatesBeforeAndAfterPairing() {
        var table = Table(timeout: .seconds(10), capacity: 100, memoryBytes: 1 << 20)
        _ = table.offer(Self.key("a"), half: .request, part: "r", bytes: 1, now: 1)
        guard case .duplicate = table.offer(Self.key("a"), half: .request, part: "r", bytes: 1, now: 2) else { Issue.record("same half"); return }
        guard case .paired = table.offer(Self.key("a"), half: .response, part: "s", bytes: 1, now: 3) else { Issue.record("pair"); return }
        guard case .duplicate = table.offer(Self.key("a"), half: .response, part: "s", bytes: 1, now: 4) else { Issue.record("after"); return }
        guard case .duplicate = table.offer(Self.key("a"), half: .request, part: "r", bytes: 1, now: 5) else { Issue.record("after"); return }
        // Another component with the same id is another inference.
        let transformer = Table.Key(service: "iris", component: "transformer", id: "a")
        guard case .waiting = table.offer(transformer, half: .request, part: "t", bytes: 1, now: 6) else { Issue.record("component"); return }
    }

    @Test func oldHalvesTimeOutAndAreCounted() {
        var table = Table(timeout: .seconds(2), capacity: 100, memoryBytes: 1 << 20)
        _ = table.offer(Self.key("a"), half: .request, part: "r", bytes: 5, now: 0)
        _ = table.offer(Self.key("b"), half: .response, part: "s", bytes: 5, now: Self.second)
        table.expire(now: 2 * Self.second + 1)
        #expect(table.unpaired[.request]?.timedOut == 1)
        #expect(table.unpaired[.response]?.timedOut == 0)
        #expect(table.pendingCount == 1 && table.heldBytes == 5)
        // The expired request's response now waits alone; the completed-id memory expires too.
        guard case .waiting = table.offer(Self.key("a"), half: .response, part: "s", bytes: 5, now: 3 * Self.second) else { Issue.record("a"); return }
        table.expire(now: 10 * Self.second)
        #expect(table.unpaired[.response]?.timedOut == 2)
        #expect(table.pendingCount == 0 && table.heldBytes == 0)
    }

    @Test func capacityAndMemoryEvictTheOldest() {
        var table = Table(timeout: .seconds(60), capacity: 3, memoryBytes: 1000)
        for i in 0..<5 { _ = table.offer(Self.key("c\(i)"), half: .request, part: "r", bytes: 10, now: UInt64(i)) }
        #expect(table.pendingCount == 3)
        #expect(table.unpaired[.request]?.evicted == 2)
        guard case .waiting = table.offer(Self.key("c0"), half: .response, part: "s", bytes: 10, now: 10) else { Issue.record("evicted c0 must not pair"); return }
        _ = table.offer(Self.key("big"), half: .request, part: "r", bytes: 995, now: 11)
        #expect(table.heldBytes <= 1000)
        #expect(table.unpaired[.request]!.evicted + table.unpaired[.response]!.evicted >= 4)
    }

    /// Many pairs flowing through keep the table's bookkeeping small (the arrival queue is compacted).
    @Test func steadyTrafficKeepsTheTableSmall() {
        var table = Table(timeout: .seconds(60), capacity: 10_000, memoryBytes: 1 << 30)
        for i in 0..<100_000 {
            _ = table.offer(Self.key("k\(i)"), half: .request, part: "r", bytes: 100, now: UInt64(i))
            _ = table.offer(Self.key("k\(i)"), half: .response, part: "s", bytes: 100, now: UInt64(i) + 1)
        }
        #expect(table.pendingCount == 0 && table.heldBytes == 0)
        #expect(table.queuedArrivals <= 1024 + 2)
        #expect(table.unpaired[.request]?.timedOut == 0 && table.unpaired[.request]?.evicted == 0)
    }
}
