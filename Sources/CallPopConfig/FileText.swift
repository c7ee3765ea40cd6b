internal import Glibc

/// Small, explicit file reading for configuration and secrets (no Foundation needed).
///
/// Only regular files are read, and never with a wait: a FIFO, a device, a socket or a
/// directory named as the configuration or a `password_file` is an error at once (a FIFO
/// once froze a reload until something wrote to it), and so is a file above the size bound.
enum FileText {
    struct ReadError: Error {
        var message: String
    }

    /// The whole file as UTF-8 text (invalid bytes repaired), at most `limit` bytes.
    static func read(_ path: String, limit: Int = 1 << 20) throws(ReadError) -> String {
        String(decoding: try readBytes(path, limit: limit), as: UTF8.self)
    }

    /// The whole file's bytes, at most `limit` of them.
    static func readBytes(_ path: String, limit: Int = 1 << 20) throws(ReadError) -> [UInt8] {
        // Look before opening: opening some devices has effects of its own.
        var st = stat()
        guard stat(path, &st) == 0 else { throw ReadError(message: "cannot open: \(String(cString: strerror(errno)))") }
        try requireRegular(st, limit: limit)
        // O_NONBLOCK: should the path be swapped for a FIFO meanwhile, opening it does not wait.
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)
        guard fd >= 0 else { throw ReadError(message: "cannot open: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        guard fstat(fd, &st) == 0 else { throw ReadError(message: "cannot read: \(String(cString: strerror(errno)))") }
        try requireRegular(st, limit: limit)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Int(st.st_size))
        var chunk = [UInt8](repeating: 0, count: 16384)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw ReadError(message: "cannot read: \(String(cString: strerror(errno)))")
            }
            if n == 0 { break }
            bytes.append(contentsOf: chunk[0..<n])
            guard bytes.count <= limit else { throw ReadError(message: "file is larger than \(limit) bytes") }
        }
        return bytes
    }

    private static func requireRegular(_ st: stat, limit: Int) throws(ReadError) {
        let kind: String
        switch st.st_mode & S_IFMT {
        case S_IFREG:
            guard st.st_size <= limit else { throw ReadError(message: "file is larger than \(limit) bytes") }
            return
        case S_IFIFO: kind = "a FIFO"
        case S_IFCHR: kind = "a character device"
        case S_IFBLK: kind = "a block device"
        case S_IFDIR: kind = "a directory"
        case S_IFSOCK: kind = "a socket"
        default: kind = "a special file"
        }
        throw ReadError(message: "this is \(kind), not a regular file")
    }

    /// The file's permission bits, or nil when it cannot be examined.
    static func mode(_ path: String) -> mode_t? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return st.st_mode
    }
}
