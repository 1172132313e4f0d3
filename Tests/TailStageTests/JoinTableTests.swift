import DriftlineCore
import Testing
@testable import TailStage

/// The join table against `Dictionary` as the model, under random inserts, lookups, updates and bulk removals.
@Suite struct JoinTableTests {
    @Test(arguments: [1, 2, 3])
    func behavesLikeADictionary(seed: UInt64) throws {
        var table = JoinTable(placeholder: -1, minimumCapacity: 4)
        var model: [JoinKey: Int] = [:]
        var generator = Xorshift(state: seed)
        var keys: [JoinKey] = []
        for step in 0..<60_000 {
            let roll = generator.next() % 100
            if roll < 60 || keys.isEmpty {
                // Insert a new id or repeat an old one (which must keep its first value).
                let key = keys.isEmpty || roll % 3 != 0 ? JoinKey(try RequestID("id-\(generator.next() % 40_000)")) : keys[Int(generator.next() % UInt64(keys.count))]
                let stored = table.insertIfAbsent(key, step)
                #expect(stored == (model[key] == nil))
                if model[key] == nil { model[key] = step; keys.append(key) }
            } else if roll < 90 {
                let key = keys[Int(generator.next() % UInt64(keys.count))]
                let slot = try #require(table.slot(of: key))
                #expect(table[slot: slot] == model[key])
                table[slot: slot] += 1
                model[key]? += 1
            } else if roll < 99 {
                #expect(table.slot(of: JoinKey(try RequestID("absent-\(step)"))) == nil)
            } else {
                let cutoff = step / 2
                table.removeAll { $0 < cutoff }
                model = model.filter { $0.value >= cutoff }
                keys = keys.filter { model[$0] != nil }
            }
            #expect(table.count == model.count)
        }
        for (key, value) in model {
            let slot = try #require(table.slot(of: key))
            #expect(table[slot: slot] == value)
        }
        #expect(table.count * 4 <= table.capacity * 3)
    }

    struct Xorshift {
        var state: UInt64
        mutating func next() -> UInt64 {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            return state
        }
    }
}
