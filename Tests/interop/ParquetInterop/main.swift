import Parquet
#if canImport(Glibc)
import Glibc
#endif

// Drives the Parquet cross-checks in Tests/interop/test_parquet.py.
//   ParquetInterop write-sample DIR     writes sample files and, beside each, NAME.expected.json
//   ParquetInterop dump FILE [FIELDS]   prints {"rows": [...], "num_row_groups": n} as JSON (FIELDS: comma-separated)
//   ParquetInterop skip FILE PATH LO HI prints the row groups whose statistics overlap [LO, HI] (int64 or string bounds)
//   ParquetInterop corrupt FILE SEED    truncates FILE at every 97th byte and flips random bytes in 1,000 copies,
//                                       reading each in-process; prints {"truncations", "flips", "errors", "reads"}

func fail(_ message: String) -> Never {
    FileHandleOutput.stderr(message + "\n")
    exit(2)
}

let args = CommandLine.arguments
guard args.count >= 3 else { fail("usage: ParquetInterop write-sample DIR | dump FILE [FIELDS] | skip FILE PATH LO HI") }
do {
    switch args[1] {
    case "write-sample":
        try Samples.writeAll(to: args[2])
    case "dump":
        let reader = try ParquetReader(path: args[2])
        let names = args.count > 3 ? args[3].split(separator: ",").map(String.init) : reader.schema.fields.map(\.name)
        let fields = try names.map { n -> Field in
            guard let f = reader.schema.field(named: n) else { throw ParquetError(.invalidArgument, "no field \(n)") }
            return f
        }
        let rows = try reader.readRows(fields: names)
        var out = "{\"num_row_groups\": \(reader.rowGroupCount), \"rows\": [\n"
        out += rows.map { JSONText.row($0, fields) }.joined(separator: ",\n")
        out += "\n]}\n"
        print(out, terminator: "")
    case "skip":
        guard args.count == 6 else { fail("usage: skip FILE PATH LO HI") }
        let reader = try ParquetReader(path: args[2])
        func bound(_ s: String) -> ParquetValue? {
            if s == "-" { return nil }
            if let i = Int64(s) { return .int64(i) }
            return .string(s)
        }
        print(reader.rowGroups(where: args[3], overlaps: bound(args[4]), bound(args[5])).map(String.init).joined(separator: " "))
    case "corrupt":
        guard args.count == 4, let seed = UInt64(args[3]) else { fail("usage: corrupt FILE SEED") }
        print(try Corruption.sweep(path: args[2], seed: seed))
    default:
        fail("unknown command \(args[1])")
    }
} catch {
    fail("ParquetInterop: \(error)")
}
