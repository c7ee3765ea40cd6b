internal import Glibc

/// What tells that a file changed without reading it: its size, modification time and inode
/// (an editor that saves by renaming a new file over the old one changes the inode).
public struct FileStamp: Sendable, Hashable {
    /// The size in bytes.
    public var size: Int64
    /// The modification time, in nanoseconds since the epoch.
    public var modified: Int64
    /// The inode.
    public var inode: UInt64
    /// Whether it is a directory.
    public var isDirectory: Bool

    /// The stamp of `path` (symbolic links followed), or nil when it does not exist.
    public init?(_ path: String) {
        var status = stat()
        guard stat(path, &status) == 0 else { return nil }
        size = Int64(status.st_size)
        modified = Int64(status.st_mtim.tv_sec) * 1_000_000_000 + Int64(status.st_mtim.tv_nsec)
        inode = UInt64(status.st_ino)
        isDirectory = status.st_mode & S_IFMT == S_IFDIR
    }

    /// `path` with every symbolic link resolved, or nil when it does not exist.
    public static func resolved(_ path: String) -> String? {
        guard let raw = realpath(path, nil) else { return nil }
        defer { free(raw) }
        return String(cString: raw)
    }
}
