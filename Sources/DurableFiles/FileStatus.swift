import SystemPackage

/// What `stat` says about a file: enough to tell a new version of it from the one read before.
public struct FileStatus: Sendable, Hashable {
    /// Size in bytes.
    public var size: Int64
    /// Last modification, nanoseconds since the epoch (UTC).
    public var modificationNanoseconds: Int64
    /// The inode: an atomic replace (a rename onto the name) changes it even when size and time do not.
    public var inode: UInt64
    /// Whether it is a folder.
    public var isFolder: Bool
    /// Whether it is a regular file.
    public var isRegularFile: Bool
    /// Its permission bits.
    public var permissions: FilePermissions

    /// Last modification, microseconds since the epoch (UTC).
    public var modificationMicroseconds: Int64 { modificationNanoseconds / 1000 }

    init(_ stat: Stat) {
        let time = stat.st_mtim
        size = stat.size
        modificationNanoseconds = Int64(time.tv_sec) * 1_000_000_000 + Int64(time.tv_nsec)
        inode = UInt64(stat.inode.rawValue)
        isFolder = stat.type == .directory
        isRegularFile = stat.type == .regular
        permissions = stat.permissions
    }
}
