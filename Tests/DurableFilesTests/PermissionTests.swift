import DurableFiles
import Foundation
import Testing

/// Files 0640 and folders 0750 whatever the umask: under 0 (which would give 0666/0777 from a naive
/// create) and under 077 (which would take the group's bits away).
@Suite(.serialized) struct PermissionTests {
    @Test(arguments: [mode_t(0), mode_t(0o077), mode_t(0o022)])
    func everyCreatingCallAppliesThePolicy(umask mask: mode_t) throws {
        try withScratchFolder { root throws in
            try withUmask(mask) {
                let base = root + "/u\(mask)"
                let folders = try Folder.create(base + "/x/y")
                try DurableFile.replace(base + "/x/replaced", with: [1])
                _ = try DurableFile.putIfAbsent(base + "/x/put", contents: [2])
                try DurableFile.create(base + "/x/created", contents: [3])
                for creation in [OpenFile.Creation.ifAbsent, .exclusive, .truncating] {
                    let (file, _) = try OpenFile.open(base + "/x/y/open-\(creation)", creating: creation)
                    file.close()
                }
                guard case .acquired(let lock) = try LockFile.acquire(base + "/x/y/writer.lock") else {
                    Issue.record("a fresh lock was held")
                    return
                }
                lock.release()
                #expect(folders.count == 3)
                for folder in folders { #expect(mode(folder) == 0o750, "\(folder) under umask \(String(mask, radix: 8))") }
                for file in ["x/replaced", "x/put", "x/created", "x/y/open-ifAbsent", "x/y/open-exclusive", "x/y/open-truncating", "x/y/writer.lock"] {
                    #expect(mode(base + "/" + file) == 0o640, "\(file) under umask \(String(mask, radix: 8))")
                }
            }
        }
    }

    @Test func theModesAre0640And0750() {
        #expect(FileModes.file.rawValue == 0o640)
        #expect(FileModes.folder.rawValue == 0o750)
    }
}
