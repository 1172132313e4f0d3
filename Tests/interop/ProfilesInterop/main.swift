// ProfilesInterop: a small executable the pytest cross-checks (Tests/interop/test_profiles.py) drive.
// Numbers come in on stdin (raw little-endian float64, or JSON), results go out as JSON on stdout.
import Foundation
import Profiles

let arguments = Array(CommandLine.arguments.dropFirst())
guard let command = arguments.first else {
    FileHandle.standardError.write(Data("usage: ProfilesInterop <command> [--option value]…\n".utf8))
    exit(2)
}
let options = Options(Array(arguments.dropFirst()))
do {
    let output: Any
    switch command {
    case "profile": output = try profileCommand(options)
    case "trials": output = try trialsCommand(options)
    case "read-sketch": output = try readSketchCommand(options)
    default:
        output = try analysisCommand(command, options)
    }
    let data = try JSONSerialization.data(withJSONObject: output, options: [.sortedKeys])
    FileHandle.standardOutput.write(data)
    FileHandle.standardOutput.write(Data("\n".utf8))
} catch {
    FileHandle.standardError.write(Data("ProfilesInterop \(command): \(error)\n".utf8))
    exit(1)
}
