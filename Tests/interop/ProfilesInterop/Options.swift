import Foundation
import Profiles

/// `--name value` pairs from the command line.
struct Options {
    private var values: [String: String] = [:]

    init(_ arguments: [String]) {
        var index = 0
        while index + 1 < arguments.count {
            values[String(arguments[index].drop(while: { $0 == "-" }))] = arguments[index + 1]
            index += 2
        }
    }

    func int(_ name: String, default value: Int) -> Int { values[name].flatMap(Int.init) ?? value }
    func uint64(_ name: String) -> UInt64? { values[name].flatMap(UInt64.init) }
    func string(_ name: String) -> String? { values[name] }
    func doubles(_ name: String) -> [Double] {
        (values[name] ?? "").split(separator: ",").compactMap { Double($0) }
    }
}

struct InteropError: Error, CustomStringConvertible {
    var description: String
}

func readStandardInput() -> Data { FileHandle.standardInput.readDataToEndOfFile() }

/// stdin as raw little-endian float64 values.
func readDoubles() -> [Double] {
    let data = readStandardInput()
    return data.withUnsafeBytes { raw in
        (0..<(data.count / 8)).map { Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 8, as: UInt64.self))) }
    }
}

func readJSON() throws -> [String: Any] {
    guard let object = try JSONSerialization.jsonObject(with: readStandardInput()) as? [String: Any] else {
        throw InteropError(description: "stdin is not a JSON object")
    }
    return object
}

/// JSON has no NaN or infinity: write them as strings.
func json(_ value: Double?) -> Any {
    guard let value else { return NSNull() }
    if value.isNaN { return "NaN" }
    if value.isInfinite { return value > 0 ? "Infinity" : "-Infinity" }
    return value
}
