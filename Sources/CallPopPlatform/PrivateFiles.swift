internal import Glibc

/// Small files only the user may read: the callback spool, cached directories and rules.
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

    /// The whole file, refused when larger than `limit`; nil when it does not exist.
    public static func read(_ path: String, limit: Int) throws(PlatformError) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard fd >= 0 else {
            if errno == ENOENT { return nil }
            throw PlatformError("open \(path)")
        }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16384)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw PlatformError("read \(path)")
            }
            if count == 0 { return bytes }
            bytes += chunk[..<count]
            guard bytes.count <= limit else { throw PlatformError(.resources, "read \(path)", reason: "larger than \(limit) bytes") }
        }
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
