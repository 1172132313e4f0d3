/// The id that ties an inference to its label: up to ``maxBytes`` opaque bytes (often a UUID or a string).
public struct RequestID: Hashable, Sendable, CustomStringConvertible {
    /// The raw bytes.
    public private(set) var bytes: [UInt8]

    /// The longest request id, in bytes.
    public static let maxBytes = 128

    /// No request id (a record that will never be joined with a label).
    public static let none = RequestID(unchecked: [])

    /// A request id from raw bytes (at most ``maxBytes``).
    public init(bytes: [UInt8]) throws(ValidationError) {
        guard bytes.count <= Self.maxBytes else {
            throw ValidationError(.tooLong, field: "requestID", value: "\(bytes.count) bytes", detail: "a request id is at most \(Self.maxBytes) bytes")
        }
        self.bytes = bytes
    }

    /// A request id from the UTF-8 bytes of `string` (at most ``maxBytes``).
    public init(_ string: String) throws(ValidationError) {
        guard string.utf8.count <= Self.maxBytes else {
            throw ValidationError(.tooLong, field: "requestID", value: string, detail: "a request id is at most \(Self.maxBytes) UTF-8 bytes")
        }
        self.bytes = Array(string.utf8)
    }

    init(unchecked bytes: [UInt8]) { self.bytes = bytes }

    /// Replaces the bytes, reusing their storage (the decoder's no-allocation path).
    mutating func assign(_ raw: UnsafeRawBufferPointer) {
        bytes.removeAll(keepingCapacity: true)
        bytes.append(contentsOf: raw)
    }

    /// Whether there is no id.
    public var isEmpty: Bool { bytes.isEmpty }

    /// The bytes as text when they are valid UTF-8, else nil.
    public var string: String? { String(validating: bytes, as: UTF8.self) }

    /// The id as text when it is printable UTF-8, else as lowercase hex.
    public var description: String {
        if let text = string, !text.unicodeScalars.contains(where: { $0.value < 0x20 }) { return text }
        return bytes.map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }
}
