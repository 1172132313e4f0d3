import DeltaTable
import DriftlineCore
import Foundation
import Profiles
import Testing
@testable import DriftlineStore

@Suite struct ReferenceTests {
    func sample(seed: UInt64 = 5, endpoint: String = "iris", version: String = "3") throws -> Reference {
        var numbers = Numbers(seed: seed)
        let xs = (0..<5000).map { i in i % 100 == 0 ? Double.nan : numbers.normal(mean: 5, sd: 1.5) }
        let regions: [String?] = (0..<5000).map { i in i % 77 == 0 ? nil : ["eu", "us", "apac"][i % 3] }
        return Reference(endpoint: endpoint, modelVersion: version, createdAt: Timestamp(microsecondsSinceEpoch: t0 + 123_456),
                         binCount: 20, task: .classification(classes: ["setosa", "versicolor", "virginica"]),
                         columns: [try .numeric(name: "sepal_length", values: xs), .categorical(name: "region", values: regions)])
    }

    @Test func saveThenLoadGivesTheSameReference() throws {
        let test = TestStore()
        let reference = try sample()
        let path = try reference.save(in: test.store)
        #expect(path == test.root + "/references/iris/3.json")
        let loaded = try Reference.load(path: path)
        #expect(loaded == reference)
        #expect(loaded.referenceID == reference.referenceID)
        #expect(loaded.encoded() == reference.encoded())
        #expect(try Reference.load(store: test.store, endpoint: "iris", modelVersion: "4") == nil)
    }

    @Test func numericColumnsCarryDesignBinsAndTrainingCounts() throws {
        let reference = try sample()
        let column = try #require(reference.column(named: "sepal_length"))
        let edges = try #require(column.edges)
        #expect(edges.count == 19)
        #expect(column.histogram?.reduce(0, +) == column.count)
        #expect(column.count == 4950 && column.missingCount == 50)
        let bins = try #require(reference.bins(column: "sepal_length"))
        #expect(bins.referenceID == reference.referenceID && bins.edges == edges)
        #expect(reference.bins(column: "region") == nil)
        let profile = try column.profile()
        #expect(profile.numeric?.sketch.count == 4950)
        let region = try #require(reference.column(named: "region"))
        #expect(region.categories?.sorted() == ["apac", "eu", "us"] && region.missingCount == 65)
    }

    @Test func theFingerprintIgnoresCreationTimeAndFollowsContent() throws {
        let a = try sample()
        let b = Reference(endpoint: a.endpoint, modelVersion: a.modelVersion, createdAt: Timestamp(microsecondsSinceEpoch: 0),
                          binCount: a.binCount, task: a.task, columns: a.columns)
        #expect(a.referenceID == b.referenceID)
        #expect(try sample(seed: 5).referenceID == a.referenceID)   // same data, same id (seeded sketch)
        #expect(try sample(seed: 6).referenceID != a.referenceID)
        #expect(a.referenceID.count == 16 && a.referenceID.allSatisfy(\.isHexDigit))
    }

    @Test func theFileIsReadableJSONWithTheDocumentedKeysFirst() throws {
        let text = String(decoding: try sample().encoded(), as: UTF8.self)
        #expect(text.hasPrefix("{\n  \"format\": \"driftline-reference\",\n  \"format_version\": 1,\n  \"reference_id\": \""))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(object["created_at"] as? String == "2026-01-01T00:00:00.123456Z")
        #expect(object["bin_count"] as? Int == 20)
    }

    @Test func anEditedFileIsRefused() throws {
        let test = TestStore()
        let path = try sample().save(in: test.store)
        var text = try String(contentsOfFile: path, encoding: .utf8)
        text = text.replacingOccurrences(of: "\"bin_count\": 20", with: "\"bin_count\": 10")
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        #expect {
            try Reference.load(path: path)
        } throws: { error in
            guard case StoreError.referenceFingerprintMismatch(let file, _, _) = error else { return false }
            return file == path
        }
    }

    @Test(arguments: [
        ("\"format_version\": 1", "\"format_version\": 2", "format_version"),
        ("\"kind\": \"numeric\"", "\"kind\": \"ordinal\"", "columns[0].kind"),
        ("\"missing_count\": 50,", "", "columns[0].missing_count"),
        ("\"count\": 4950", "\"count\": \"many\"", "columns[0].count"),
        ("\"created_at\": \"2026", "\"created_at\": \"yesterday", "created_at"),
    ])
    func malformedFilesNameTheField(original: String, replacement: String, field: String) throws {
        let test = TestStore()
        let path = try sample().save(in: test.store)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.contains(original))
        try text.replacingOccurrences(of: original, with: replacement).write(toFile: path, atomically: true, encoding: .utf8)
        #expect {
            try Reference.load(path: path)
        } throws: { error in
            guard case let StoreError.malformedReference(file, found, _) = error else { return false }
            return file == path && found.hasPrefix(field)
        }
    }

    @Test func garbageIsAnErrorNotACrash() throws {
        for bytes in [[UInt8](), Array("{".utf8), Array("[1,2]".utf8), [0xff, 0x00, 0x7b]] {
            #expect(throws: StoreError.self) { try Reference(json: bytes, file: "x.json") }
        }
    }
}

@Suite struct ReferenceCatalogTests {
    @Test func noticesReferencesAppearingChangingAndDisappearing() throws {
        let test = TestStore()
        var catalog = ReferenceCatalog(store: test.store)
        #expect(try catalog.refresh().isEmpty)
        let first = try ReferenceTests().sample(seed: 1)
        try first.save(in: test.store)
        #expect(try catalog.refresh() == [.added(.init(endpoint: "iris", modelVersion: "3"), referenceID: first.referenceID)])
        #expect(catalog.reference(endpoint: "iris", modelVersion: "3")?.referenceID == first.referenceID)
        #expect(try catalog.refresh().isEmpty)   // unchanged: not re-read
        let second = try ReferenceTests().sample(seed: 2)
        try second.save(in: test.store)
        #expect(try catalog.refresh() == [.changed(.init(endpoint: "iris", modelVersion: "3"), from: first.referenceID, to: second.referenceID)])
        try FileManager.default.removeItem(atPath: try test.store.referencePath(endpoint: "iris", modelVersion: "3"))
        #expect(try catalog.refresh() == [.removed(.init(endpoint: "iris", modelVersion: "3"))])
        #expect(catalog.references.isEmpty)
    }

    @Test func aBrokenFileIsReportedAndTheLastGoodOneKept() throws {
        let test = TestStore()
        var catalog = ReferenceCatalog(store: test.store)
        let good = try ReferenceTests().sample()
        let path = try good.save(in: test.store)
        try catalog.refresh()
        try "{ not json".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(try catalog.refresh().isEmpty)
        #expect(catalog.problems[path] != nil)
        #expect(catalog.reference(endpoint: "iris", modelVersion: "3") == good)
        // A file in the wrong folder is a problem too.
        try good.save(to: test.root + "/references/wine/3.json")
        try catalog.refresh()
        #expect(catalog.problems[test.root + "/references/wine/3.json"] != nil)
        #expect(catalog.reference(endpoint: "wine", modelVersion: "3") == nil)
    }
}

@Suite struct StoreLockTests {
    @Test func aSecondHolderIsToldWhoHoldsTheLock() throws {
        let test = TestStore()
        let lock = try test.store.tailLock(endpoint: "iris", command: "driftline tail --endpoint iris")
        #expect {
            try test.store.tailLock(endpoint: "iris")
        } throws: { error in
            guard case let StoreError.lockHeld(name, _, holder) = error, let holder else { return false }
            return name == "tail-iris" && holder.pid == getpid() && holder.command == "driftline tail --endpoint iris"
                && error.localizedDescription.isEmpty == false
        }
        _ = try test.store.tailLock(endpoint: "wine")   // other endpoints are independent
        lock.release()
        let again = try test.store.tailLock(endpoint: "iris")
        again.release()
        _ = try test.store.batchLock()
    }

    @Test func anotherProcessCannotTakeAHeldLock() throws {
        let test = TestStore()
        let lock = try test.store.batchLock(command: "batch test")
        // The store's locks are POSIX record locks (shared between hosts by NFS): another process's
        // lockf(3) (F_SETLK, non-blocking) is refused while this process holds the lock, and succeeds after.
        func lockf() throws -> Int32 {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
            process.arguments = ["-c", "import fcntl, sys\nf = open(sys.argv[1], 'r+')\ntry:\n    fcntl.lockf(f, fcntl.LOCK_EX | fcntl.LOCK_NB)\nexcept OSError:\n    sys.exit(1)",
                                 try test.store.lockPath("batch")]
            try process.run()
            process.waitUntilExit()
            return process.terminationStatus
        }
        #expect(try lockf() == 1)
        lock.release()
        #expect(try lockf() == 0)
    }
}
