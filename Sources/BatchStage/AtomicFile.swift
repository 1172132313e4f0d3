import Foundation

/// Writes a file so that readers see the old content or the new, never a part: a temporary file in
/// the same folder, fsync, rename.
enum AtomicFile {
    static func write(_ data: Data, to path: String) throws(BatchError) {
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw .output(path: folder.path, detail: "cannot create the folder: \(error.localizedDescription)")
        }
        let temporary = folder.appendingPathComponent(".\(url.lastPathComponent).\(getpid()).tmp")
        guard FileManager.default.createFile(atPath: temporary.path, contents: nil, attributes: [.posixPermissions: 0o644]),
              let handle = try? FileHandle(forWritingTo: temporary) else {
            throw .output(path: temporary.path, detail: "cannot create the file; check the folder's permissions")
        }
        do {
            try handle.write(contentsOf: data)
            try handle.synchronize()
            try handle.close()
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw .output(path: temporary.path, detail: "cannot write: \(error.localizedDescription)")
        }
        guard rename(temporary.path, url.path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temporary)
            throw .output(path: path, detail: "cannot rename into place: \(reason)")
        }
    }
}
