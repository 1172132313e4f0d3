import DriftlineCore
import DurableFiles

extension DeltaError {
    /// A failed file operation of DurableFiles as ``DeltaError/io(path:operation:errno:)``.
    init(_ error: FileError) {
        self = .io(path: error.path, operation: error.operation.description, errno: error.errno.rawValue)
    }
}

/// Runs DurableFiles calls, reporting a ``FileError`` as ``DeltaError/io(path:operation:errno:)``
/// (other errors pass unchanged).
@discardableResult
func deltaIO<R>(_ body: () throws -> R) throws -> R {
    do {
        return try body()
    } catch let error as FileError {
        throw DeltaError(error)
    }
}

/// The modification time of `path`, or nil when it does not exist (or cannot be read).
func fileModificationTime(_ path: String) -> Timestamp? {
    guard let status = try? DurableFile.status(path) else { return nil }
    return Timestamp(microsecondsSinceEpoch: status.modificationMicroseconds)
}
