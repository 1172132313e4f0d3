import DurableFiles
import SystemPackage
import Testing

@Suite struct FileErrorTests {
    @Test func adviceSaysWhyAndWhatToDo() {
        #expect(FileError.advice(for: .noSpace) == "No space left on device (errno 28): the disk is full: free space or move the folder to a larger disk")
        #expect(FileError.advice(for: .permissionDenied) == "Permission denied (errno 13): check its permissions: the user running driftline needs read and write access")
        #expect(FileError.advice(for: .noSuchFileOrDirectory) == "No such file or directory (errno 2): check that the path exists (a missing parent folder?)")
        #expect(FileError.advice(errno: 5) == "Input/output error (errno 5): the device reported an I/O error; check the disk (dmesg)")
        #expect(FileError.remedy(for: .badFileDescriptor) == "check the path and its file system")
    }

    @Test func descriptionNamesTheCallAndThePath() {
        let error = FileError(.syncFolder, path: "/log/iris/w1", errno: .ioError)
        #expect(error.description == "fsync of the folder failed on /log/iris/w1: Input/output error (errno 5): the device reported an I/O error; check the disk (dmesg)")
        #expect(FileError(.rename, path: "/s/r.json", errno: .noSpace).description.hasPrefix("rename failed on /s/r.json: No space left on device (errno 28)"))
        #expect(FileError(.open, path: "/x", errno: .noSuchFileOrDirectory).isMissing)
    }
}
