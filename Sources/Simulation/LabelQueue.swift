import DriftlineCore

/// Labels waiting for simulated time to reach them: a binary min-heap on (time, arrival order).
public struct LabelQueue {
    public struct Entry {
        var time: Timestamp
        var order: Int
        var requestID: RequestID
        var label: Label
    }

    private var heap: [Entry] = []
    private var added = 0

    public var isEmpty: Bool { heap.isEmpty }
    public var first: Entry? { heap.first }

    public mutating func insert(time: Timestamp, requestID: RequestID, label: Label) {
        heap.append(Entry(time: time, order: added, requestID: requestID, label: label))
        added += 1
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard Self.before(heap[child], heap[parent]) else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    public mutating func removeFirst() -> Entry? {
        guard !heap.isEmpty else { return nil }
        heap.swapAt(0, heap.count - 1)
        let top = heap.removeLast()
        var parent = 0
        while true {
            let left = 2 * parent + 1, right = left + 1
            var smallest = parent
            if left < heap.count, Self.before(heap[left], heap[smallest]) { smallest = left }
            if right < heap.count, Self.before(heap[right], heap[smallest]) { smallest = right }
            guard smallest != parent else { break }
            heap.swapAt(parent, smallest)
            parent = smallest
        }
        return top
    }

    public static func before(_ a: Entry, _ b: Entry) -> Bool { (a.time, a.order) < (b.time, b.order) }
}
