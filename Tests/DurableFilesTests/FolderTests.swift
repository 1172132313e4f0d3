import DurableFiles
import Foundation
import Testing

@Suite struct FolderTests {
    @Test func createMakesNestedFoldersAndReportsThem() throws {
        try withScratchFolder { root throws in
            let deep = root + "/store/references/iris"
            #expect(try Folder.create(deep) == [root + "/store", root + "/store/references", deep])
            var isFolder: ObjCBool = false
            #expect(FileManager.default.fileExists(atPath: deep, isDirectory: &isFolder) && isFolder.boolValue)
            // Again: nothing to create, no error; a sibling creates only what is missing.
            let again = try Folder.create(deep)
            #expect(again.isEmpty)
            #expect(try Folder.create(root + "/store/reports/iris") == [root + "/store/reports", root + "/store/reports/iris"])
            #expect(try Folder.list(root + "/store") == ["references", "reports"])
            #expect(Folder.exists(deep) && !Folder.exists(deep + "/nope"))
        }
    }

    @Test func aFileInThePathIsNotAFolder() throws {
        try withScratchFolder { root throws in
            try DurableFile.replace(root + "/plain", with: [1])
            #expect(throws: FileError(.mkdir, path: root + "/plain", errno: .notDirectory)) {
                try Folder.create(root + "/plain/sub")
            }
        }
    }

    @Test func concurrentCreatorsAllSucceed() throws {
        try withScratchFolder { root throws in
            let failures = Outcomes()
            DispatchQueue.concurrentPerform(iterations: 6) { i in
                do { try Folder.create(root + "/a/b/c/\(i % 2)") } catch { failures.add(i, nil) }
            }
            #expect(failures.all.isEmpty)
            #expect(try Folder.list(root + "/a/b/c") == ["0", "1"])
        }
    }

    @Test func listingAMissingFolder() throws {
        try withScratchFolder { root throws in
            #expect(try Folder.listIfPresent(root + "/none") == [])
            #expect(throws: FileError(.list, path: root + "/none", errno: .noSuchFileOrDirectory)) { try Folder.list(root + "/none") }
            #expect(throws: FileError(.open, path: root + "/none", errno: .noSuchFileOrDirectory)) { try Folder.sync(root + "/none") }
            try Folder.sync(root)
        }
    }

    @Test func pathParts() {
        #expect(Folder.parent(of: "/a/b/c") == "/a/b" && Folder.name(of: "/a/b/c") == "c")
        #expect(Folder.parent(of: "/a") == "/" && Folder.parent(of: "name") == "." && Folder.name(of: "name") == "name")
    }
}
