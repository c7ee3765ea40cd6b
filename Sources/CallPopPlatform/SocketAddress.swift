internal import Glibc

/// A socket address (IPv4 or IPv6) as bytes, so that it is a plain Sendable value.
public struct SocketAddress: Sendable, Hashable, CustomStringConvertible {
    var storage: [UInt8]

    init(_ pointer: UnsafePointer<sockaddr>, length: socklen_t) {
        storage = Array(UnsafeRawBufferPointer(start: pointer, count: Int(length)))
    }

    init(storage: sockaddr_storage, length: socklen_t) {
        var copy = storage
        self.storage = withUnsafeBytes(of: &copy) { Array($0.prefix(Int(length))) }
    }

    /// `AF_INET` or `AF_INET6`.
    public var family: Int32 {
        storage.withUnsafeBytes { Int32($0.load(fromByteOffset: 0, as: sa_family_t.self)) }
    }

    func withPointer<T>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> T) -> T {
        // Built only from kernel-filled sockaddrs: never empty, so the base address exists.
        storage.withUnsafeBytes { raw in
            body(raw.bindMemory(to: sockaddr.self).baseAddress.unsafelyUnwrapped, socklen_t(raw.count))
        }
    }

    /// The numeric host (no brackets) and port.
    public var hostAndPort: (host: String, port: UInt16) {
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

    public var description: String {
        let (host, port) = hostAndPort
        return (host.contains(":") ? "[\(host)]" : host) + ":\(port)"
    }
}

/// The local address of any connected socket (ours or libcurl's).
public func localAddressOf(_ fd: Int32) throws(PlatformError) -> SocketAddress {
    var storage = sockaddr_storage()
    var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
    let status = withUnsafeMutablePointer(to: &storage) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
    }
    guard status == 0 else { throw PlatformError("getsockname") }
    return SocketAddress(storage: storage, length: length)
}

/// Resolves `host` (a name or a literal) to addresses with `getaddrinfo` (A and AAAA).
/// Blocks for as long as the resolver takes: call it on an I/O thread.
public func resolve(host: String, port: UInt16, stream: Bool) throws(PlatformError) -> [SocketAddress] {
    var hints = addrinfo()
    hints.ai_family = AF_UNSPEC
    hints.ai_socktype = Int32(stream ? SOCK_STREAM.rawValue : SOCK_DGRAM.rawValue)
    hints.ai_flags = AI_ADDRCONFIG
    var list: UnsafeMutablePointer<addrinfo>?
    let status = getaddrinfo(host, String(port), &hints, &list)
    guard status == 0 else {
        throw PlatformError(.resolution, "resolving \(host)", reason: String(cString: gai_strerror(status)))
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

/// The raw answer to a DNS query for `name` of record `type` (33: SRV) through the system
/// resolver's `res_query` (in libc since glibc 2.34, in libresolv before; looked up at run
/// time so no link flag is needed). Any failure (no resolver, NXDOMAIN) yields no bytes.
/// The answer is untrusted: parse it with a bounded parser.
public func resolverQuery(_ name: String, type: Int32) -> [UInt8] {
    typealias ResQuery = @convention(c) (UnsafePointer<CChar>, Int32, Int32, UnsafeMutablePointer<UInt8>, Int32) -> Int32
    let defaultHandle = UnsafeMutableRawPointer(bitPattern: 0)  // RTLD_DEFAULT
    var symbol = dlsym(defaultHandle, "res_query")
    if symbol == nil, let library = dlopen("libresolv.so.2", RTLD_NOW) { symbol = dlsym(library, "res_query") }
    guard let symbol else { return [] }
    let resQuery = unsafeBitCast(symbol, to: ResQuery.self)
    var answer = [UInt8](repeating: 0, count: 4096)
    let length = name.withCString { resQuery($0, 1 /* C_IN */, type, &answer, Int32(answer.count)) }
    guard length > 0 else { return [] }
    return Array(answer.prefix(Int(min(length, Int32(answer.count)))))
}
