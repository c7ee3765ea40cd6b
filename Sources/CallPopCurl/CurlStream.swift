private import CCurl
#if canImport(Glibc)
private import Glibc
#endif

/// A byte stream to `host:port`, plain TCP or TLS, opened by libcurl in connect-only mode.
///
/// Why libcurl rather than plain sockets: one tested path gives name
/// resolution (with IPv4/IPv6 fallback), connect timeouts, TLS with
/// certificate and host-name verification against the system store or a CA
/// file, and TCP keepalive. Plain sockets would need all of that written again
/// for TCP plus an OpenSSL wrapper for TLS. `CURLOPT_CONNECT_ONLY` stops
/// libcurl after the connection (and TLS handshake); afterwards
/// `curl_easy_send`/`curl_easy_recv` move the bytes, non-blocking, and the
/// caller waits on `socket` with `poll` — so one thread blocks in `poll`
/// instead of spinning.
///
/// Not thread-safe: use an instance from one thread. The handle is freed in `deinit`.
public final class CurlStream {
    /// The result of one non-blocking read.
    public enum ReadResult: Sendable, Equatable {
        /// `count` bytes were stored at the start of the buffer.
        case bytes(Int)
        /// Nothing to read now: wait until `socket` is readable.
        case wouldBlock
        /// The peer closed the connection.
        case closed
    }

    /// The connected socket, to wait on with `poll`.
    public let socket: Int32

    private let handle: UnsafeMutableRawPointer
    private let errorBuffer: UnsafeMutablePointer<CChar>

    /// Connects (and for TLS, handshakes) to `host:port`, blocking up to `connectTimeoutMilliseconds`.
    ///
    /// - Parameters:
    ///   - host: a DNS name, an IPv4 address, or an IPv6 address (with or without brackets).
    ///   - tls: `true` for TLS; the certificate and host name are always verified.
    ///   - caFile: a PEM file of trusted CAs, instead of the system store.
    ///   - abandonWhenReadable: a descriptor (the read end of a wake-up pipe) that, once readable,
    ///     abandons the connection attempt with `CurlError.abortedCode`: shutdown need not wait
    ///     for a slow DNS answer or TLS handshake to time out.
    public init(
        host: String, port: Int, tls: Bool, caFile: String? = nil, connectTimeoutMilliseconds: Int = 10_000,
        abandonWhenReadable: Int32? = nil
    ) throws(CurlError) {
        CurlGlobal.initialize()
        guard let url = Self.url(host: host, port: port, tls: tls) else {
            throw CurlError(code: -1, message: "invalid host \"\(host)\" or port \(port)")
        }
        guard let handle = curl_easy_init() else {
            throw CurlError(code: -1, message: "libcurl could not create a handle")
        }
        self.handle = handle
        let size = Int(callpop_curl_error_size())
        errorBuffer = .allocate(capacity: size)
        errorBuffer.initialize(repeating: 0, count: size)
        var socket: curl_socket_t = -1
        // libcurl keeps the pointer only during curl_easy_perform; it is freed right after.
        let abandonDescriptor = UnsafeMutablePointer<Int32>.allocate(capacity: 1)
        abandonDescriptor.initialize(to: abandonWhenReadable ?? -1)
        defer { abandonDescriptor.deallocate() }
        do {
            try Self.check(errorBuffer, callpop_curl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorBuffer))
            try Self.check(errorBuffer, callpop_curl_setopt_string(handle, CURLOPT_URL, url))
            try Self.check(errorBuffer, callpop_curl_setopt_long(handle, CURLOPT_CONNECT_ONLY, 1))
            // Never signals (we run on our own thread) and never a proxy from the environment:
            // http_proxy must not reroute a raw AMI connection.
            try Self.check(errorBuffer, callpop_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1))
            try Self.check(errorBuffer, callpop_curl_setopt_string(handle, CURLOPT_PROXY, ""))
            try Self.check(errorBuffer, callpop_curl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, connectTimeoutMilliseconds))
            try Self.check(errorBuffer, callpop_curl_setopt_long(handle, CURLOPT_TCP_KEEPALIVE, 1))
            if tls {
                try Self.check(errorBuffer, callpop_curl_setopt_long(handle, CURLOPT_SSL_VERIFYPEER, 1))
                try Self.check(errorBuffer, callpop_curl_setopt_long(handle, CURLOPT_SSL_VERIFYHOST, 2))
                if let caFile { try Self.check(errorBuffer, callpop_curl_setopt_string(handle, CURLOPT_CAINFO, caFile)) }
            }
            if abandonWhenReadable != nil {
                try Self.check(errorBuffer, callpop_curl_abort_when_readable(handle, abandonDescriptor))
            }
            try Self.check(errorBuffer, curl_easy_perform(handle))
            if abandonWhenReadable != nil {  // the callback must not outlive the pointer
                try Self.check(errorBuffer, callpop_curl_setopt_long(handle, CURLOPT_NOPROGRESS, 1))
            }
            try Self.check(errorBuffer, callpop_curl_getinfo_socket(handle, &socket))
        } catch {
            curl_easy_cleanup(handle)
            errorBuffer.deallocate()
            throw error
        }
        self.socket = Int32(socket)
    }

    deinit {
        curl_easy_cleanup(handle)
        errorBuffer.deallocate()
    }

    /// Sends as much of `bytes` as the socket takes now; returns how many were sent (0: wait for writable).
    public func send(_ bytes: ArraySlice<UInt8>) throws(CurlError) -> Int {
        var sent = 0
        let code = bytes.withUnsafeBytes { curl_easy_send(handle, $0.baseAddress, $0.count, &sent) }
        if code == CURLE_AGAIN { return 0 }
        try check(code)
        return sent
    }

    /// Reads what is available into `buffer` without blocking.
    public func read(into buffer: inout [UInt8]) throws(CurlError) -> ReadResult {
        var received = 0
        let code = buffer.withUnsafeMutableBytes { curl_easy_recv(handle, $0.baseAddress, $0.count, &received) }
        if code == CURLE_AGAIN { return .wouldBlock }
        try check(code)
        return received == 0 ? .closed : .bytes(received)
    }

    private func check(_ code: CURLcode) throws(CurlError) {
        try Self.check(errorBuffer, code)
    }

    private static func check(_ errorBuffer: UnsafeMutablePointer<CChar>, _ code: CURLcode) throws(CurlError) {
        guard code != CURLE_OK else { return }
        let detail = String(cString: errorBuffer)
        let summary = String(cString: curl_easy_strerror(code))
        throw CurlError(code: Int(code.rawValue), message: detail.isEmpty ? summary : "\(summary): \(detail)")
    }

    /// The URL libcurl connects to: `http` for plain TCP (connect-only never sends a request), `https` for TLS.
    static func url(host: String, port: Int, tls: Bool) -> String? {
        var bare = Substring(host)
        if bare.hasPrefix("["), bare.hasSuffix("]") { bare = bare.dropFirst().dropLast() }
        let forbidden: Set<Character> = ["/", "?", "#", "@", "[", "]", " ", "\t", "\r", "\n", "\\"]
        guard !bare.isEmpty, (1...65535).contains(port), !bare.contains(where: forbidden.contains) else { return nil }
        let authority = bare.contains(":") ? "[\(bare)]" : String(bare)
        return "\(tls ? "https" : "http")://\(authority):\(port)"
    }
}

/// A libcurl failure, with libcurl's own explanation.
public struct CurlError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The `CURLcode` (-1 when the failure came before libcurl).
    public var code: Int
    /// The code of a connection attempt abandoned through `abandonWhenReadable` (`CURLE_ABORTED_BY_CALLBACK`).
    public static let abortedCode = Int(CURLE_ABORTED_BY_CALLBACK.rawValue)
    /// What went wrong, e.g. "Couldn't connect to server: Failed to connect to ::1 port 5038: Connection refused".
    public var message: String

    /// Creates an error.
    public init(code: Int, message: String) {
        self.code = code
        self.message = message
    }

    /// The message.
    public var description: String { message }
}

/// `curl_global_init` must run once per process, before any other libcurl call.
enum CurlGlobal {
    static let initialized: Bool = curl_global_init(callpop_curl_global_default()) == CURLE_OK
    static func initialize() { _ = initialized }
}
