import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A listener that accepts one connection, writes `greeting`, and keeps it open until released.
public final class OneShotListener: @unchecked Sendable {
    public let port: Int
    private let fd: Int32

    public init(ipv6: Bool, greeting: String) throws {
        let fd = socket(ipv6 ? AF_INET6 : AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var storage = sockaddr_storage()
        var length: socklen_t
        if ipv6 {
            var address = sockaddr_in6()
            address.sin6_family = sa_family_t(AF_INET6)
            address.sin6_addr = in6addr_loopback
            length = socklen_t(MemoryLayout<sockaddr_in6>.size)
            withUnsafeMutableBytes(of: &storage) { $0.copyMemory(from: withUnsafeBytes(of: address) { $0 }) }
        } else {
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            length = socklen_t(MemoryLayout<sockaddr_in>.size)
            withUnsafeMutableBytes(of: &storage) { $0.copyMemory(from: withUnsafeBytes(of: address) { $0 }) }
        }
        let bound = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard fd >= 0, bound, listen(fd, 4) == 0 else { throw TestAMIServer.ServerError("listen failed") }
        port = Int(UInt16(bigEndian: withUnsafeBytes(of: storage) { $0.load(fromByteOffset: 2, as: UInt16.self) }))
        self.fd = fd
        let listening = fd
        // Only this thread closes the listener: closing it from another thread could let a
        // later socket reuse the descriptor number while this thread still accepts on it.
        Thread {
            let connection = accept(listening, nil, nil)
            guard connection >= 0 else { close(listening); return }
            _ = greeting.withCString { send(connection, $0, strlen($0), Int32(MSG_NOSIGNAL)) }
            var byte: UInt8 = 0
            _ = recv(connection, &byte, 1, 0)  // until the client goes
            close(connection)
        }.start()
    }

    /// Stops listening (later connections are refused); the accepting thread then closes it.
    public func closeNow() { shutdown(fd, Int32(SHUT_RDWR)) }
}

