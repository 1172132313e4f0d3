/// The label join's table of pending predictions: open addressing with linear probing, a control byte
/// per slot (empty, or 7 bits of the key's hash) and the entries (key and value side by side) in one
/// array. A new request id, the common case, is placed by reading control bytes alone (1 byte per
/// slot: they stay in cache where the 48-byte entries cannot) and writing its entry; an entry is read
/// only when its control byte matches. That avoids the cache miss per record that a table reading
/// the slot's key first pays once it outgrows the cache.
///
/// Keys are ``JoinKey``s (already uniform 128-bit hashes); the slot is taken from the key mixed with
/// a per-table random seed, so request ids chosen to collide in one process do not collide in another.
/// At most 3/4 full; grows by doubling. Removal happens only in bulk (``removeAll(where:)``, which rebuilds).
struct JoinTable<Value> {
    struct Entry {
        var key: JoinKey
        var value: Value
    }

    private var entries: [Entry]
    /// Per slot: 0 when empty, else 0x80 | 7 bits of the key's mixed hash.
    private var controls: [UInt8]
    private var mask: Int
    private let placeholder: Value
    private let seed: UInt64
    /// Entries held.
    private(set) var count = 0

    /// An empty table; `placeholder` fills empty slots (never returned).
    init(placeholder: Value, minimumCapacity: Int = 1024) {
        var capacity = 16
        while capacity * 3 / 4 < minimumCapacity { capacity *= 2 }
        entries = [Entry](repeating: Entry(key: .empty, value: placeholder), count: capacity)
        controls = [UInt8](repeating: 0, count: capacity)
        mask = capacity - 1
        self.placeholder = placeholder
        seed = UInt64.random(in: .min ... .max)
    }

    /// Slots allocated (entries take 16 bytes of key plus the value's stride each).
    var capacity: Int { entries.count }

    /// The slot holding `key`, or the empty slot where it would go, and the key's control byte.
    @inline(__always)
    private func probe(_ key: JoinKey) -> (slot: Int, found: Bool, control: UInt8) {
        let hash = JoinKey.mix(key.low ^ seed, 0xFF51_AFD7_ED55_8CCD)
        let control = UInt8(truncatingIfNeeded: hash >> 57) | 0x80
        return controls.withUnsafeBufferPointer { bytes in
            entries.withUnsafeBufferPointer { table in
                var slot = Int(truncatingIfNeeded: hash) & mask
                while true {
                    let byte = bytes[slot]
                    if byte == 0 { return (slot, false, control) }
                    if byte == control && table[slot].key == key { return (slot, true, control) }
                    slot = (slot &+ 1) & mask
                }
            }
        }
    }

    /// Touches the control bytes and entries where `keys` would be probed first, with independent loads
    /// the processor overlaps, so that the inserts and lookups that follow (a batch's, interleaved with
    /// profiling) find those lines in cache instead of waiting for memory one record at a time.
    /// Returns a value only so that the loads are not optimized away.
    @discardableResult
    func warm(_ keys: UnsafeBufferPointer<JoinKey>) -> UInt64 {
        var sink: UInt64 = 0
        controls.withUnsafeBufferPointer { bytes in
            entries.withUnsafeBufferPointer { table in
                for key in keys where key != .empty {
                    let slot = Int(truncatingIfNeeded: JoinKey.mix(key.low ^ seed, 0xFF51_AFD7_ED55_8CCD)) & mask
                    sink &+= UInt64(bytes[slot]) &+ table[slot].key.low
                }
            }
        }
        return sink
    }

    /// Stores `value` under `key` unless the key is held already; returns whether it stored.
    @discardableResult
    mutating func insertIfAbsent(_ key: JoinKey, _ value: Value) -> Bool {
        if (count + 1) * 4 > entries.count * 3 { grow() }
        let (slot, found, control) = probe(key)
        guard !found else { return false }
        entries[slot] = Entry(key: key, value: value)
        controls[slot] = control
        count += 1
        return true
    }

    /// The slot of `key`, if held.
    func slot(of key: JoinKey) -> Int? {
        let (slot, found, _) = probe(key)
        return found ? slot : nil
    }

    /// The value in a slot returned by ``slot(of:)``.
    subscript(slot slot: Int) -> Value {
        get { entries[slot].value }
        set { entries[slot].value = newValue }
    }

    /// Removes the entries whose value satisfies `remove` (rebuilds the table, shrinking it when sparse).
    /// When none does, the table is left as it is without copying it (a commit's expiry usually removes
    /// nothing: copying every pending prediction cost a serial scan and a table-sized allocation).
    mutating func removeAll(where remove: (Value) -> Bool) {
        var removable = 0
        for slot in controls.indices where controls[slot] != 0 && remove(entries[slot].value) { removable += 1 }
        guard removable > 0 else { return }
        var kept: [Entry] = []
        kept.reserveCapacity(count - removable)
        for slot in controls.indices where controls[slot] != 0 && !remove(entries[slot].value) { kept.append(entries[slot]) }
        var rebuilt = JoinTable(placeholder: placeholder, minimumCapacity: Swift.max(kept.count * 2, 1024))
        for entry in kept { rebuilt.insertIfAbsent(entry.key, entry.value) }
        self = rebuilt
    }

    private mutating func grow() {
        let oldEntries = entries, oldControls = controls
        entries = [Entry](repeating: Entry(key: .empty, value: placeholder), count: oldEntries.count * 2)
        controls = [UInt8](repeating: 0, count: oldEntries.count * 2)
        mask = entries.count - 1
        count = 0
        for slot in oldControls.indices where oldControls[slot] != 0 {
            let entry = oldEntries[slot]
            let (target, _, control) = probe(entry.key)
            entries[target] = entry
            controls[target] = control
            count += 1
        }
    }
}
