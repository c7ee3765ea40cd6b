internal import Glibc

/// Tells systemd how the service is doing (`sd_notify(3)`'s protocol, without libsystemd):
/// one datagram of `KEY=value` lines to the `AF_UNIX` socket named by `NOTIFY_SOCKET`, which
/// the manager sets for `Type=notify` units. Without the variable (a terminal, a desktop's
/// autostart) every call does nothing.
///
/// Sending never blocks: the socket is non-blocking and a datagram that does not fit is dropped
/// (the manager reads its socket at once, and the next state replaces a lost one anyway).
public final class SystemdNotifier: Sendable {
    private let fd: Int32
    private let address: [UInt8]

    /// A notifier for `NOTIFY_SOCKET` in `environment`; nil when it is unset or unusable.
    public init?(environment: [String: String]) {
        guard let path = environment["NOTIFY_SOCKET"], let address = Self.address(path) else { return nil }
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue | SOCK_CLOEXEC.rawValue | SOCK_NONBLOCK.rawValue), 0)
        guard fd >= 0 else { return nil }
        self.fd = fd
        self.address = address
    }

    deinit { close(fd) }

    /// Sends `fields` (`READY=1`, `STATUS=…`) as one datagram; false when it could not be sent.
    @discardableResult
    public func send(_ fields: [String]) -> Bool {
        // A newline inside a value would start another field: the status text is ours, but
        // it quotes PBX messages.
        let text = fields.map { String($0.map { $0 == "\n" || $0 == "\r" ? " " : $0 }) }.joined(separator: "\n")
        let bytes = Array(text.utf8)
        let sent = bytes.withUnsafeBytes { payload in
            address.withUnsafeBytes { raw in
                raw.withMemoryRebound(to: sockaddr.self) {
                    sendto(fd, payload.baseAddress, payload.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT), $0.baseAddress, socklen_t(raw.count))
                }
            }
        }
        return sent == bytes.count
    }

    /// `READY=1`, with a status line.
    public func ready(status: String) { send(["READY=1", "STATUS=" + status]) }

    /// `STATUS=…`.
    public func status(_ text: String) { send(["STATUS=" + text]) }

    /// `STOPPING=1`.
    public func stopping() { send(["STOPPING=1"]) }

    /// The `sockaddr_un` bytes for a path or, with a leading `@`, an abstract socket name.
    static func address(_ path: String) -> [UInt8]? {
        var name = Array(path.utf8)
        guard !name.isEmpty, name[0] == UInt8(ascii: "/") || name[0] == UInt8(ascii: "@") else { return nil }
        if name[0] == UInt8(ascii: "@") { name[0] = 0 }
        let pathCapacity = MemoryLayout<sockaddr_un>.size - MemoryLayout<sa_family_t>.size
        guard name.count < pathCapacity, !name.dropFirst().contains(0) else { return nil }
        var family = sa_family_t(AF_UNIX)
        let prefix = withUnsafeBytes(of: &family) { Array($0) }
        // A path is NUL-terminated; an abstract name is exactly its bytes.
        return prefix + name + (name[0] == 0 ? [] : [0])
    }
}
