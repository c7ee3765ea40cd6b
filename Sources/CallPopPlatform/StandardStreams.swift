internal import Glibc

/// Writes whole lines straight to a descriptor: no stdio buffer to flush, no shared
/// mutable `FILE *` for strict concurrency to object to.
public enum StandardStreams {
    /// Writes `text` to stdout.
    public static func out(_ text: String) { write(1, text) }
    /// Writes `text` to stderr.
    public static func err(_ text: String) { write(2, text) }

    private static func write(_ fd: Int32, _ text: String) {
        var bytes = Array(text.utf8)
        if bytes.last != 0x0A { bytes.append(0x0A) }
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                return  // stdout closed (a pipe reader went away): nothing sensible to do
            }
            offset += n
        }
    }
}
