/// 64 doubles stored inline (no heap array, so staging a value is a plain store without the
/// uniqueness check an array write needs).
@usableFromInline
struct StagingBlock: Sendable {
    @usableFromInline static let capacity = 64
    @usableFromInline var storage = (SIMD8<Double>(), SIMD8<Double>(), SIMD8<Double>(), SIMD8<Double>(),
                           SIMD8<Double>(), SIMD8<Double>(), SIMD8<Double>(), SIMD8<Double>())

    @inlinable @inline(__always)
    mutating func store(_ value: Double, at index: Int) {
        precondition(index >= 0 && index < Self.capacity)
        withUnsafeMutableBytes(of: &storage) { $0.storeBytes(of: value, toByteOffset: index &* 8, as: Double.self) }
    }

    mutating func withValues<R>(count: Int, _ body: (UnsafeBufferPointer<Double>) -> R) -> R {
        withUnsafeBytes(of: &storage) { raw in
            body(UnsafeBufferPointer(start: raw.baseAddress?.assumingMemoryBound(to: Double.self), count: Swift.min(count, Self.capacity)))
        }
    }
}
