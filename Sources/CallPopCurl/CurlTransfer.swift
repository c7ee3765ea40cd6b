private import CCurl

/// One HTTP request as a libcurl easy handle, to be driven by a `CurlMulti` on one thread.
///
/// Everything about libcurl's options stays here: the HTTP layer describes the request in
/// plain values (`Settings`) and receives the response through two closures, so no other
/// file sees a `CURL *`. The safety settings are not optional: certificates and host names
/// are verified, only `http` and `https` are spoken, redirects are not followed (a custom
/// header with a secret must never travel to a host the configuration did not name), no
/// signals are used, and libcurl never prints anything.
///
/// Not thread-safe: create, drive and drop it on one thread (the HTTP loop's).
public final class CurlTransfer {
    /// The request, in plain values.
    public struct Settings: Sendable {
        /// An absolute `http://` or `https://` URL.
        public var url: String
        /// `GET`, `POST`, `PUT`, `PATCH`, `DELETE`, `HEAD`.
        public var method: String
        /// Complete header lines (`Name: value`), already checked for line breaks.
        public var headerLines: [String]
        /// The request body; `nil` sends none.
        public var body: [UInt8]?
        /// The whole transfer's limit in milliseconds; 0 means none (streams).
        public var timeoutMilliseconds: Int
        /// The limit for connecting (and the TLS handshake) in milliseconds.
        public var connectTimeoutMilliseconds: Int
        /// A PEM file of CAs to trust instead of the system store.
        public var caFile: String?
        /// The proxy URL; `""` uses none (environment variables are never read by libcurl itself).
        public var proxy: String
        /// Hosts that bypass the proxy, as `no_proxy` writes them.
        public var noProxy: String?
        /// A Unix socket to talk HTTP over instead of TCP.
        public var unixSocketPath: String?
        /// The `User-Agent` header.
        public var userAgent: String
        /// Refuse a response whose announced length is larger (0: no announcement check).
        public var maximumAnnouncedBytes: Int

        /// Creates settings.
        public init(
            url: String, method: String, headerLines: [String], body: [UInt8]?, timeoutMilliseconds: Int,
            connectTimeoutMilliseconds: Int, caFile: String?, proxy: String, noProxy: String?, unixSocketPath: String?,
            userAgent: String, maximumAnnouncedBytes: Int
        ) {
            self.url = url
            self.method = method
            self.headerLines = headerLines
            self.body = body
            self.timeoutMilliseconds = timeoutMilliseconds
            self.connectTimeoutMilliseconds = connectTimeoutMilliseconds
            self.caFile = caFile
            self.proxy = proxy
            self.noProxy = noProxy
            self.unixSocketPath = unixSocketPath
            self.userAgent = userAgent
            self.maximumAnnouncedBytes = maximumAnnouncedBytes
        }
    }

    /// What the data closure answers for one piece of the body.
    public enum DataAnswer: Sendable {
        /// Taken: go on.
        case taken
        /// Not taken now: pause the transfer; libcurl keeps the piece and offers it again after `resume()`.
        case pause
        /// Abort the transfer (it ends with `CurlError.Category.aborted`).
        case abort
    }

    /// Called with each header line (status lines and the blank line that ends a block
    /// included, line ends kept); returning false aborts the transfer.
    public var onHeaderLine: (UnsafeRawBufferPointer) -> Bool = { _ in true }
    /// Called with each piece of the body.
    public var onData: (UnsafeRawBufferPointer) -> DataAnswer = { _ in .taken }

    let handle: UnsafeMutableRawPointer
    private let errorBuffer: UnsafeMutablePointer<CChar>
    private var headerList: UnsafeMutablePointer<curl_slist>?

    /// Configures a handle for `settings`; throws `CurlError` when libcurl refuses an option.
    public init(_ settings: Settings) throws(CurlError) {
        CurlGlobal.initialize()
        guard let handle = curl_easy_init() else { throw CurlError(code: -1, message: "libcurl could not create a handle") }
        self.handle = handle
        let size = Int(callpop_curl_error_size())
        errorBuffer = .allocate(capacity: size)
        errorBuffer.initialize(repeating: 0, count: size)
        do {
            try configure(settings)
        } catch {
            release()
            throw error
        }
    }

    deinit { release() }

    private func release() {
        curl_easy_cleanup(handle)
        if let headerList { curl_slist_free_all(headerList) }
        errorBuffer.deallocate()
    }

    private func configure(_ s: Settings) throws(CurlError) {
        try set(CURLOPT_ERRORBUFFER, pointer: errorBuffer)
        try set(CURLOPT_URL, s.url)
        try set(CURLOPT_PROTOCOLS_STR, "http,https")
        try set(CURLOPT_NOSIGNAL, 1)
        try set(CURLOPT_FOLLOWLOCATION, 0)
        try set(CURLOPT_SSL_VERIFYPEER, 1)
        try set(CURLOPT_SSL_VERIFYHOST, 2)
        if let caFile = s.caFile { try set(CURLOPT_CAINFO, caFile) }
        try set(CURLOPT_PROXY, s.proxy)
        if let noProxy = s.noProxy { try set(CURLOPT_NOPROXY, noProxy) }
        if let path = s.unixSocketPath { try set(CURLOPT_UNIX_SOCKET_PATH, path) }
        try set(CURLOPT_USERAGENT, s.userAgent)
        try set(CURLOPT_CONNECTTIMEOUT_MS, s.connectTimeoutMilliseconds)
        if s.timeoutMilliseconds > 0 { try set(CURLOPT_TIMEOUT_MS, s.timeoutMilliseconds) }
        try set(CURLOPT_TCP_KEEPALIVE, 1)
        // Compressed responses are decoded before `onData` sees them, which bounds the decoded size.
        try set(CURLOPT_ACCEPT_ENCODING, "")
        if s.maximumAnnouncedBytes > 0 {
            try check(callpop_curl_setopt_offset(handle, CURLOPT_MAXFILESIZE_LARGE, curl_off_t(s.maximumAnnouncedBytes)))
        }
        switch s.method {
        case "GET": try set(CURLOPT_HTTPGET, 1)
        case "HEAD": try set(CURLOPT_NOBODY, 1)
        default:
            if s.method == "POST" { try set(CURLOPT_POST, 1) } else { try set(CURLOPT_CUSTOMREQUEST, s.method) }
        }
        if let body = s.body {
            try check(callpop_curl_setopt_offset(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count)))
            // COPYPOSTFIELDS copies (up to POSTFIELDSIZE bytes): the body need not outlive this call.
            let code = (body.isEmpty ? [0] : body).withUnsafeBytes { raw in
                callpop_curl_setopt_pointer(handle, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: raw.baseAddress))
            }
            try check(code)
        }
        var list: UnsafeMutablePointer<curl_slist>? = nil
        // libcurl adds "Expect: 100-continue" to larger bodies, which costs a round trip.
        for line in s.headerLines + ["Expect:"] {
            guard let longer = curl_slist_append(list, line) else {
                if let list { curl_slist_free_all(list) }
                throw CurlError(code: -1, message: "out of memory for request headers")
            }
            list = longer
        }
        headerList = list
        try check(callpop_curl_setopt_headers(handle, list))
        let context = Unmanaged.passUnretained(self).toOpaque()
        try check(callpop_curl_setopt_header(handle, { data, size, count, context in
            guard let data, let context else { return 0 }
            let transfer = Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue()
            let bytes = UnsafeRawBufferPointer(start: data, count: size * count)
            return transfer.onHeaderLine(bytes) ? size * count : 0
        }, context))
        try check(callpop_curl_setopt_write(handle, { data, size, count, context in
            guard let context else { return 0 }
            let transfer = Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue()
            let bytes = UnsafeRawBufferPointer(start: data, count: size * count)
            switch transfer.onData(bytes) {
            case .taken: return size * count
            case .pause: return callpop_curl_writefunc_pause()
            case .abort: return 0
            }
        }, context))
    }

    /// The response's status code (0 before a status line arrived).
    public var statusCode: Int {
        var code = 0
        _ = callpop_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &code)
        return code
    }

    /// Lets a transfer paused by `DataAnswer.pause` go on; libcurl may call `onData` from inside.
    public func resume() {
        _ = curl_easy_pause(handle, callpop_curl_pause_continue())
    }

    /// The error for a transfer that ended with the `CURLcode` `raw`, with libcurl's words.
    func error(forCode raw: UInt32) -> CurlError? {
        let code = CURLcode(rawValue: raw)
        guard code != CURLE_OK else { return nil }
        let detail = String(cString: errorBuffer)
        let summary = String(cString: curl_easy_strerror(code))
        return CurlError(code: Int(code.rawValue), message: detail.isEmpty ? summary : "\(summary): \(detail)")
    }

    private func set(_ option: CURLoption, _ value: Int) throws(CurlError) {
        try check(callpop_curl_setopt_long(handle, option, value))
    }

    private func set(_ option: CURLoption, _ value: String) throws(CurlError) {
        try check(callpop_curl_setopt_string(handle, option, value))
    }

    private func set(_ option: CURLoption, pointer: UnsafeMutableRawPointer) throws(CurlError) {
        try check(callpop_curl_setopt_pointer(handle, option, pointer))
    }

    private func check(_ code: CURLcode) throws(CurlError) {
        if let error = error(forCode: code.rawValue) { throw error }
    }
}
