internal import Glibc

/// Small files only the user may read: the callback spool, cached directories and rules; and
/// the one reader of every file callpop reads (configuration, secrets, contact files).
///
/// Directories are made with mode 700 and files with mode 600 from the start (never
/// loosened later, never world-readable even for an instant). A write is atomic: the bytes
/// go to a temporary file in the same directory, which is then renamed over the target, so a
/// reader — or the agent after a kill — sees the old file or the new one, never half of one.
/// Without `fsync`: the rename survives the process being killed, which is what these files
/// guard against; after a power cut a file may be lost or empty, and readers treat that as
/// "nothing there".
public enum PrivateFiles {
    /// Makes `path` and any missing parents with mode 700.
    public static func makeDirectory(_ path: String) throws(PlatformError) {
        var built = path.hasPrefix("/") ? "" : "."
        for part in path.split(separator: "/") {
            built += "/" + part
            if mkdir(built, 0o700) != 0, errno != EEXIST { throw PlatformError("create directory \(built)") }
        }
    }

    /// Replaces `path` with `bytes` atomically, mode 600.
    public static func write(_ bytes: [UInt8], to path: String) throws(PlatformError) {
        let temporary = path + ".tmp-\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { throw PlatformError("create \(temporary)") }
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                let failure = PlatformError("write \(temporary)")
                close(fd)
                unlink(temporary)
                throw failure
            }
            offset += written
        }
        close(fd)
        guard rename(temporary, path) == 0 else {
            let failure = PlatformError("rename \(temporary) to \(path)")
            unlink(temporary)
            throw failure
        }
    }

    /// The whole file, refused when larger than `limit`; nil when it does not exist. Only a
    /// regular file is read, and never with a wait: a FIFO, a device, a socket or a directory
    /// at `path` is an error at once (`notRegularFile`; a FIFO once froze a reload until
    /// something wrote to it). A symbolic link is refused unless `followLinks` (the user's own
    /// configuration may be a link into a dotfiles checkout; caches and spools never are).
    public static func read(_ path: String, limit: Int, followLinks: Bool = false) throws(PlatformError) -> [UInt8]? {
        // Look before opening: opening some devices has effects of its own.
        var status = stat()
        guard (followLinks ? stat(path, &status) : lstat(path, &status)) == 0 else {
            if errno == ENOENT { return nil }
            throw PlatformError("open \(path)")
        }
        try requireRegular(status, path: path, limit: limit)
        // O_NONBLOCK: should the path be swapped for a FIFO meanwhile, opening it does not wait.
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY | (followLinks ? 0 : O_NOFOLLOW))
        guard fd >= 0 else {
            if errno == ENOENT { return nil }
            throw PlatformError("open \(path)")
        }
        defer { close(fd) }
        guard fstat(fd, &status) == 0 else { throw PlatformError("read \(path)") }
        try requireRegular(status, path: path, limit: limit)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Int(status.st_size))
        var chunk = [UInt8](repeating: 0, count: 16384)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw PlatformError("read \(path)")
            }
            if count == 0 { return bytes }
            bytes += chunk[..<count]
            guard bytes.count <= limit else { throw tooLarge(path, limit) }
        }
    }

    private static func tooLarge(_ path: String, _ limit: Int) -> PlatformError {
        PlatformError(.resources, "read \(path)", reason: "file is larger than \(limit) bytes")
    }

    private static func requireRegular(_ status: stat, path: String, limit: Int) throws(PlatformError) {
        let kind: String
        switch status.st_mode & S_IFMT {
        case S_IFREG:
            guard status.st_size <= limit else { throw tooLarge(path, limit) }
            return
        case S_IFIFO: kind = "a FIFO"
        case S_IFCHR: kind = "a character device"
        case S_IFBLK: kind = "a block device"
        case S_IFDIR: kind = "a directory"
        case S_IFSOCK: kind = "a socket"
        case S_IFLNK: kind = "a symbolic link"
        default: kind = "a special file"
        }
        throw PlatformError(.notRegularFile, "open \(path)", reason: "this is \(kind), not a regular file")
    }

    /// The names in `directory` (not `.`/`..`), sorted; empty when it cannot be read.
    public static func names(in directory: String) -> [String] {
        guard let handle = opendir(directory) else { return [] }
        defer { closedir(handle) }
        var names: [String] = []
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != ".", name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    /// Removes `path`; a missing file is not an error.
    public static func remove(_ path: String) {
        unlink(path)
    }

    /// The permission bits of `path`, or nil when it does not exist.
    public static func mode(_ path: String) -> UInt32? {
        var status = stat()
        guard stat(path, &status) == 0 else { return nil }
        return UInt32(status.st_mode & 0o7777)
    }
}
