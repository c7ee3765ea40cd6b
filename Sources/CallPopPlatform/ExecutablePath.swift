internal import Glibc

/// Where the running program is.
public enum ExecutablePath {
    /// The absolute path of this process's executable (`/proc/self/exe`), or nil.
    public static var current: String? {
        var link = [CChar](repeating: 0, count: 4096)
        let length = readlink("/proc/self/exe", &link, link.count - 1)
        guard length > 0 else { return nil }
        return String(decoding: link[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
