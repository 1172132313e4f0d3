import DurableFiles
import Foundation

extension BatchError {
    /// A failed file operation of DurableFiles as ``BatchError/output(path:detail:)``.
    init(output error: FileError) {
        self = .output(path: error.path, detail: "\(error.operation) failed: \(error.advice)")
    }
}

/// Writes a report or exporter file so that readers (node_exporter, a browser, a shipper) see the old
/// content or the new, never a part, and the new one survives a power cut: DurableFiles' atomic replace
/// (temporary file in the same folder, fsync, rename, fsync of the folder), mode 0640; missing folders
/// are created (0750).
func writeOutput(_ data: Data, to path: String) throws(BatchError) {
    do throws(FileError) {
        try Folder.create(Folder.parent(of: path))
        try DurableFile.replace(path, with: Array(data))
    } catch {
        throw BatchError(output: error)
    }
}
