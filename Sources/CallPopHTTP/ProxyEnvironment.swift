/// The proxies the environment names, read once: `http_proxy` for `http://` URLs,
/// `https_proxy` (or `HTTPS_PROXY`) for `https://`, `all_proxy` (or `ALL_PROXY`) for both,
/// and `no_proxy` (or `NO_PROXY`) for hosts that go direct.
///
/// As in curl, the upper-case `HTTP_PROXY` is ignored: under CGI it is set from a request's
/// `Proxy:` header ("httpoxy"). Reading the variables here rather than letting libcurl read
/// them keeps one rule, and lets connect-only streams (AMI, SIP over TLS) never use a proxy.
public struct ProxyEnvironment: Sendable, Hashable {
    /// The proxy for `http://` URLs.
    public var http: String?
    /// The proxy for `https://` URLs.
    public var https: String?
    /// Hosts (and domains) that bypass the proxy.
    public var noProxy: String?

    /// No proxy at all.
    public static let none = ProxyEnvironment(http: nil, https: nil, noProxy: nil)

    /// Creates settings.
    public init(http: String?, https: String?, noProxy: String?) {
        self.http = http
        self.https = https
        self.noProxy = noProxy
    }

    /// Reads the variables from `environment`.
    public init(environment: [String: String]) {
        func value(_ names: String...) -> String? {
            names.lazy.compactMap { environment[$0] }.first { !$0.isEmpty }
        }
        let all = value("all_proxy", "ALL_PROXY")
        http = value("http_proxy") ?? all
        https = value("https_proxy", "HTTPS_PROXY") ?? all
        noProxy = value("no_proxy", "NO_PROXY")
    }

    /// The proxy for `url`, or `""` for none.
    public func proxy(for url: String) -> String {
        url.prefix(8).lowercased().hasPrefix("https://") ? https ?? "" : http ?? ""
    }
}
