internal import Glibc

/// The result of one non-blocking read from a stream.
public enum StreamRead: Sendable {
    /// Bytes arrived.
    case bytes([UInt8])
    /// Nothing now; wait for readability.
    case wouldBlock
    /// The connection is over, with why.
    case closed(String)
}

/// A non-blocking, close-on-exec socket, closed when its owner lets go. Used from one
/// I/O thread; every wait goes through `Poller`.
public final class Socket {
    /// The descriptor, to poll.
    public let fd: Int32

    /// Opens a UDP socket bound to `port` (0: any) on the address that routes to `server`.
    public static func udp(towards server: SocketAddress, port: UInt16) throws(PlatformError) -> Socket {
        let local = try localAddress(towards: server)
        let socket = try Socket(family: server.family, stream: false)
        var bindAddress = local
        bindAddress.setPort(port)
        let status = bindAddress.withPointer { Glibc.bind(socket.fd, $0, $1) }
        guard status == 0 else { throw PlatformError("bind to \(bindAddress)") }
        return socket
    }

    /// Connects a TCP socket to `server`, giving up at `deadline` or when `wake` is woken.
    public static func tcp(to server: SocketAddress, until deadline: ContinuousClock.Instant, wake: WakePipe?) throws(PlatformError) -> Socket {
        let socket = try Socket(family: server.family, stream: true)
        let status = server.withPointer { Glibc.connect(socket.fd, $0, $1) }
        if status != 0 {
            guard errno == EINPROGRESS else { throw PlatformError("connect to \(server)") }
            let result = Poller.wait([(socket.fd, .writable)], wake: wake, until: deadline)
            if result.woken { throw PlatformError("connect to \(server)", errno: ECANCELED) }
            guard !result.ready[0].isEmpty else { throw PlatformError("connect to \(server)", errno: ETIMEDOUT) }
            var error: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(socket.fd, SOL_SOCKET, SO_ERROR, &error, &length)
            guard error == 0 else { throw PlatformError("connect to \(server)", errno: error) }
        }
        var one: Int32 = 1
        setsockopt(socket.fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        return socket
    }

    private init(family: Int32, stream: Bool) throws(PlatformError) {
        let type = Int32((stream ? SOCK_STREAM.rawValue : SOCK_DGRAM.rawValue) | SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue)
        let fd = Glibc.socket(family, type, 0)
        guard fd >= 0 else { throw PlatformError("socket") }
        self.fd = fd
    }

    deinit { close(fd) }

    /// The address the kernel picked for this socket.
    public func localAddress() throws(PlatformError) -> SocketAddress {
        try localAddressOf(fd)
    }

    /// The source address the kernel would use to reach `server` (a UDP connect sends nothing).
    private static func localAddress(towards server: SocketAddress) throws(PlatformError) -> SocketAddress {
        let probe = try Socket(family: server.family, stream: false)
        let status = server.withPointer { Glibc.connect(probe.fd, $0, $1) }
        guard status == 0 else { throw PlatformError("no route to \(server)") }
        return try probe.localAddress()
    }

    /// Sends a datagram; returns the errno of a failure instead of throwing (UDP loss is normal).
    @discardableResult
    public func send(_ bytes: [UInt8], to address: SocketAddress) -> Int32? {
        let sent = bytes.withUnsafeBytes { buffer in
            address.withPointer { sendto(fd, buffer.baseAddress, buffer.count, Int32(MSG_NOSIGNAL), $0, $1) }
        }
        return sent < 0 ? errno : nil
    }

    /// Writes all of `bytes` on a stream socket, waiting up to `timeout` each time the send
    /// buffer is full; false when the connection failed or stayed full.
    public func write(_ bytes: [UInt8], timeout: Duration = .seconds(5)) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if written > 0 { offset += written; continue }
            guard written < 0, errno == EAGAIN || errno == EINTR else { return false }
            guard !Poller.wait([(fd, .writable)], wake: nil, until: .now + timeout).ready[0].isEmpty else { return false }
        }
        return true
    }

    /// Receives one datagram with its source; `nil` when none is waiting.
    public func receiveDatagram() -> (bytes: [UInt8], from: SocketAddress)? {
        var buffer = [UInt8](repeating: 0, count: 65536)
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let count = buffer.withUnsafeMutableBytes { raw in
            withUnsafeMutablePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { recvfrom(fd, raw.baseAddress, raw.count, 0, $0, &length) }
            }
        }
        guard count >= 0 else { return nil }
        return (Array(buffer.prefix(count)), SocketAddress(storage: storage, length: length))
    }

    /// Reads what a stream socket has now.
    public func read() -> StreamRead {
        var buffer = [UInt8](repeating: 0, count: 65536)
        let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if count > 0 { return .bytes(Array(buffer.prefix(count))) }
        if count == 0 { return .closed("connection closed by the server") }
        return errno == EAGAIN || errno == EINTR ? .wouldBlock : .closed(String(cString: strerror(errno)))
    }
}

extension SocketAddress {
    mutating func setPort(_ port: UInt16) {
        storage.withUnsafeMutableBytes { raw in
            // sin_port and sin6_port sit at the same offset, in network byte order.
            raw.storeBytes(of: port.bigEndian, toByteOffset: 2, as: UInt16.self)
        }
    }
}
