// The only file of CallPopSIP that talks to libc: sockets, poll, name resolution, clocks.
// callpop is a Linux desktop agent: Glibc only.
import Glibc

/// A failed system call, with errno's text.
struct SystemCallError: Error, CustomStringConvertible {
    let call: String
    let code: Int32

    var description: String { "\(call): \(String(cString: strerror(code)))" }
}

/// A socket address (IPv4 or IPv6) as bytes, so that it is a plain Sendable value.
struct SocketAddress: Sendable, Hashable, CustomStringConvertible {
    fileprivate var storage: [UInt8]

    fileprivate init(_ pointer: UnsafePointer<sockaddr>, length: socklen_t) {
        storage = Array(UnsafeRawBufferPointer(start: pointer, count: Int(length)))
    }

    fileprivate init(storage: sockaddr_storage, length: socklen_t) {
        var copy = storage
        self.storage = withUnsafeBytes(of: &copy) { Array($0.prefix(Int(length))) }
    }

    var family: Int32 {
        storage.withUnsafeBytes { Int32($0.load(fromByteOffset: 0, as: sa_family_t.self)) }
    }

    fileprivate func withPointer<T>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> T) -> T {
        // Built only from kernel-filled sockaddrs: never empty, so the base address exists.
        storage.withUnsafeBytes { raw in
            body(raw.bindMemory(to: sockaddr.self).baseAddress.unsafelyUnwrapped, socklen_t(raw.count))
        }
    }

    /// The numeric host (no brackets) and port.
    var hostAndPort: (host: String, port: UInt16) {
        withPointer { pointer, length in
            var host = [CChar](repeating: 0, count: Int(NI_MAXHOST))
            var service = [CChar](repeating: 0, count: Int(NI_MAXSERV))
            let status = getnameinfo(pointer, length, &host, socklen_t(host.count), &service, socklen_t(service.count),
                                     NI_NUMERICHOST | NI_NUMERICSERV)
            guard status == 0 else { return ("?", 0) }
            let hostText = String(decoding: host.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
            let serviceText = String(decoding: service.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
            return (hostText, UInt16(serviceText) ?? 0)
        }
    }

    var description: String {
        let (host, port) = hostAndPort
        return (host.contains(":") ? "[\(host)]" : host) + ":\(port)"
    }
}

/// The local address of any connected socket (ours or libcurl's).
func localAddressOf(_ fd: Int32) throws(SystemCallError) -> SocketAddress {
    var storage = sockaddr_storage()
    var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
    let status = withUnsafeMutablePointer(to: &storage) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
    }
    guard status == 0 else { throw SystemCallError(call: "getsockname", code: errno) }
    return SocketAddress(storage: storage, length: length)
}

/// Waits until `fd` can take more bytes; false after `timeout` seconds.
func waitWritable(_ fd: Int32, timeout: Double) -> Bool {
    var entry = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
    return poll(&entry, 1, Int32(timeout * 1000)) > 0
}

/// Monotonic seconds, for the state machines' timers.
func monotonicSeconds() -> Double {
    var spec = timespec()
    clock_gettime(CLOCK_MONOTONIC, &spec)
    return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
}

/// Resolves `host` (a name or a literal) to addresses with `getaddrinfo` (A and AAAA).
func resolve(host: String, port: UInt16, stream: Bool) throws(SystemCallError) -> [SocketAddress] {
    var hints = addrinfo()
    hints.ai_family = AF_UNSPEC
    hints.ai_socktype = Int32(stream ? SOCK_STREAM.rawValue : SOCK_DGRAM.rawValue)
    hints.ai_flags = AI_ADDRCONFIG
    var list: UnsafeMutablePointer<addrinfo>?
    let status = getaddrinfo(host, String(port), &hints, &list)
    guard status == 0 else {
        throw SystemCallError(call: "resolving \(host): \(String(cString: gai_strerror(status)))", code: 0)
    }
    defer { freeaddrinfo(list) }
    var result: [SocketAddress] = []
    var cursor = list
    while let entry = cursor {
        if let address = entry.pointee.ai_addr { result.append(SocketAddress(address, length: entry.pointee.ai_addrlen)) }
        cursor = entry.pointee.ai_next
    }
    return result
}

/// SRV records for `name` through the system resolver's `res_query` (in libc since glibc
/// 2.34, in libresolv before; looked up at run time so no link flag is needed). Any
/// failure (no resolver, NXDOMAIN, garbage) yields no records: the caller falls back to A/AAAA.
func querySRV(_ name: String) -> [DNSSRVRecord] {
    typealias ResQuery = @convention(c) (UnsafePointer<CChar>, Int32, Int32, UnsafeMutablePointer<UInt8>, Int32) -> Int32
    let defaultHandle = UnsafeMutableRawPointer(bitPattern: 0)  // RTLD_DEFAULT
    var symbol = dlsym(defaultHandle, "res_query")
    if symbol == nil, let library = dlopen("libresolv.so.2", RTLD_NOW) { symbol = dlsym(library, "res_query") }
    guard let symbol else { return [] }
    let resQuery = unsafeBitCast(symbol, to: ResQuery.self)
    var answer = [UInt8](repeating: 0, count: 4096)
    let length = name.withCString { resQuery($0, 1 /* C_IN */, 33 /* T_SRV */, &answer, Int32(answer.count)) }
    guard length > 0 else { return [] }
    return DNSSRVParser.records(in: Array(answer.prefix(Int(min(length, Int32(answer.count))))))
}

/// The result of one non-blocking read from a stream.
enum StreamRead {
    /// Bytes arrived.
    case bytes([UInt8])
    /// Nothing now; wait for readability.
    case wouldBlock
    /// The connection is over, with why.
    case closed(String)
}

/// A socket file descriptor, closed when the owner goes away.
final class Socket {
    let fd: Int32

    /// Opens a UDP socket bound to `port` (0: any) on the address that routes to `server`.
    static func udp(towards server: SocketAddress, port: UInt16) throws(SystemCallError) -> Socket {
        let local = try localAddress(towards: server)
        let socket = try Socket(family: server.family, stream: false)
        var bindAddress = local
        bindAddress.setPort(port)
        let status = bindAddress.withPointer { Glibc.bind(socket.fd, $0, $1) }
        guard status == 0 else { throw SystemCallError(call: "bind to \(bindAddress)", code: errno) }
        return socket
    }

    /// Connects a TCP socket to `server`, waiting at most `timeout` seconds or until `wakeFD` is readable.
    static func tcp(to server: SocketAddress, timeout: Double, wakeFD: Int32) throws(SystemCallError) -> Socket {
        let socket = try Socket(family: server.family, stream: true)
        let status = server.withPointer { Glibc.connect(socket.fd, $0, $1) }
        if status != 0 {
            guard errno == EINPROGRESS else { throw SystemCallError(call: "connect to \(server)", code: errno) }
            var fds = [pollfd(fd: socket.fd, events: Int16(POLLOUT), revents: 0), pollfd(fd: wakeFD, events: Int16(POLLIN), revents: 0)]
            let ready = poll(&fds, 2, Int32(timeout * 1000))
            guard ready > 0, fds[0].revents != 0 else { throw SystemCallError(call: "connect to \(server)", code: ready == 0 ? ETIMEDOUT : ECANCELED) }
            var error: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(socket.fd, SOL_SOCKET, SO_ERROR, &error, &length)
            guard error == 0 else { throw SystemCallError(call: "connect to \(server)", code: error) }
        }
        var one: Int32 = 1
        setsockopt(socket.fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        return socket
    }

    private init(family: Int32, stream: Bool) throws(SystemCallError) {
        let type = Int32((stream ? SOCK_STREAM.rawValue : SOCK_DGRAM.rawValue) | SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue)
        let fd = Glibc.socket(family, type, 0)
        guard fd >= 0 else { throw SystemCallError(call: "socket", code: errno) }
        self.fd = fd
    }

    deinit { close(fd) }

    /// The address the kernel picked for this socket.
    func localAddress() throws(SystemCallError) -> SocketAddress {
        try localAddressOf(fd)
    }

    /// The source address the kernel would use to reach `server` (a UDP connect sends nothing).
    private static func localAddress(towards server: SocketAddress) throws(SystemCallError) -> SocketAddress {
        let probe = try Socket(family: server.family, stream: false)
        let status = server.withPointer { Glibc.connect(probe.fd, $0, $1) }
        guard status == 0 else { throw SystemCallError(call: "no route to \(server)", code: errno) }
        return try probe.localAddress()
    }

    /// Sends a datagram; errors are returned, not thrown (UDP loss is normal).
    @discardableResult
    func send(_ bytes: [UInt8], to address: SocketAddress) -> Int32? {
        let sent = bytes.withUnsafeBytes { buffer in
            address.withPointer { sendto(fd, buffer.baseAddress, buffer.count, Int32(MSG_NOSIGNAL), $0, $1) }
        }
        return sent < 0 ? errno : nil
    }

    /// Writes all bytes on a stream socket, waiting for buffer space; false when the connection failed.
    func write(_ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if written > 0 { offset += written; continue }
            guard written < 0, errno == EAGAIN || errno == EINTR, waitWritable(fd, timeout: 5) else { return false }
        }
        return true
    }

    /// Receives one datagram with its source; `nil` when none is waiting.
    func receiveDatagram() -> (bytes: [UInt8], from: SocketAddress)? {
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
    func read() -> StreamRead {
        var buffer = [UInt8](repeating: 0, count: 65536)
        let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if count > 0 { return .bytes(Array(buffer.prefix(count))) }
        if count == 0 { return .closed("connection closed by the server") }
        return errno == EAGAIN || errno == EINTR ? .wouldBlock : .closed(String(cString: strerror(errno)))
    }
}

extension SocketAddress {
    fileprivate mutating func setPort(_ port: UInt16) {
        storage.withUnsafeMutableBytes { raw in
            // sin_port and sin6_port sit at the same offset, in network byte order.
            raw.storeBytes(of: port.bigEndian, toByteOffset: 2, as: UInt16.self)
        }
    }
}

/// Waits until one of `fds` is readable or `timeout` seconds pass (`nil`: forever).
/// Returns the readable descriptors.
func waitReadable(_ fds: [Int32], timeout: Double?) -> Set<Int32> {
    var entries = fds.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
    let milliseconds = timeout.map { Int32(min(max(0, ($0 * 1000).rounded(.up)), 3_600_000)) } ?? -1
    let ready = poll(&entries, nfds_t(entries.count), milliseconds)
    guard ready > 0 else { return [] }
    return Set(entries.filter { $0.revents != 0 }.map(\.fd))
}
