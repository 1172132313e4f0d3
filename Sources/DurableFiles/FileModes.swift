import SystemPackage

/// The permission policy of every file and folder the product creates, in one place.
///
/// Feature values and labels can be personal data: files are `0640` (owner reads and writes, group
/// reads), folders `0750`, whatever the process's umask (every creating call sets the mode explicitly
/// with `fchmod`/`chmod` after creating, since the umask can only remove bits from the mode given to
/// `open`/`mkdir`, never add them). Existing files and folders keep the mode they have.
public enum FileModes {
    /// `rw-r-----` (0640).
    public static let file: FilePermissions = [.ownerReadWrite, .groupRead]
    /// `rwxr-x---` (0750).
    public static let folder: FilePermissions = [.ownerReadWriteExecute, .groupReadExecute]
}
