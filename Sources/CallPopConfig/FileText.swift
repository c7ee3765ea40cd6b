internal import CallPopPlatform

/// The configuration's and secrets' files, read through the one reader (`PrivateFiles.read`):
/// only regular files, never with a wait, at most a size bound. Errors are the words a
/// `FILE: message` diagnostic shows.
enum FileText {
    struct ReadError: Error {
        var message: String
    }

    /// The whole file as UTF-8 text (invalid bytes repaired), at most `limit` bytes.
    static func read(_ path: String, limit: Int = 1 << 20) throws(ReadError) -> String {
        String(decoding: try readBytes(path, limit: limit), as: UTF8.self)
    }

    /// The whole file's bytes, at most `limit` of them. A symbolic link is followed: the
    /// user's configuration may live in a dotfiles checkout.
    static func readBytes(_ path: String, limit: Int = 1 << 20) throws(ReadError) -> [UInt8] {
        let bytes: [UInt8]?
        do {
            bytes = try PrivateFiles.read(path, limit: limit, followLinks: true)
        } catch {
            switch error.code {
            case .notRegularFile, .resources: throw ReadError(message: error.reason)
            default: throw ReadError(message: "cannot read: " + error.reason)
            }
        }
        guard let bytes else { throw ReadError(message: "cannot open: No such file or directory") }
        return bytes
    }

    /// The file's permission bits, or nil when it cannot be examined.
    static func mode(_ path: String) -> UInt32? {
        PrivateFiles.mode(path)
    }
}
