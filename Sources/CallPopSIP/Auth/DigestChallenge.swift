/// A `WWW-Authenticate` / `Proxy-Authenticate` digest challenge (RFC 7616 3.3, RFC 3261 22.4).
public struct DigestChallenge: Sendable, Hashable {
    /// The hash algorithms this client answers.
    public enum Algorithm: String, Sendable, Hashable {
        /// RFC 2617 MD5 (the SIP default when `algorithm` is absent).
        case md5 = "MD5"
        /// MD5 with the session key mixed with the nonces.
        case md5Session = "MD5-sess"
        /// RFC 7616 SHA-256.
        case sha256 = "SHA-256"
        /// SHA-256 with the session key mixed with the nonces.
        case sha256Session = "SHA-256-sess"

        /// Parses an `algorithm` value case-insensitively.
        public init?(token: String) {
            switch token.lowercased() {
            case "md5": self = .md5
            case "md5-sess": self = .md5Session
            case "sha-256": self = .sha256
            case "sha-256-sess": self = .sha256Session
            default: return nil
            }
        }
    }

    /// The protection space.
    public var realm: String
    /// The server nonce.
    public var nonce: String
    /// Echoed back unchanged when present.
    public var opaque: String?
    /// The hash algorithm.
    public var algorithm: Algorithm
    /// The offered `qop` values, lowercase (`auth`, `auth-int`); empty for RFC 2069 style.
    public var qopOptions: [String]
    /// `stale=true`: the credentials were right, only the nonce expired.
    public var stale: Bool

    /// Creates a challenge.
    public init(realm: String, nonce: String, opaque: String? = nil, algorithm: Algorithm = .md5,
                qopOptions: [String] = [], stale: Bool = false) {
        self.realm = realm
        self.nonce = nonce
        self.opaque = opaque
        self.algorithm = algorithm
        self.qopOptions = qopOptions
        self.stale = stale
    }

    /// Parses a header value such as `Digest realm="x", nonce="y", qop="auth"`;
    /// `nil` for other schemes, a missing realm/nonce, or an algorithm this client lacks.
    public init?(headerValue: String) {
        // By Unicode scalars, as all SIP text (`SIPText.cut`): a combining mark after the
        // blank or an `=` must not hide it.
        let value = SIPText.trim(headerValue)
        let scalars = value.unicodeScalars
        guard let space = scalars.firstIndex(where: SIPText.isBlank),
              String(scalars[..<space]).lowercased() == "digest" else { return nil }
        var parameters: [String: String] = [:]
        for item in SIPText.splitList(String(scalars[space...])) {
            guard case let (name, quoted)? = SIPText.cut(item, at: "=") else { continue }
            parameters[SIPText.trim(name).lowercased()] = SIPText.unquote(SIPText.trim(quoted))
        }
        guard let realm = parameters["realm"], let nonce = parameters["nonce"], !nonce.isEmpty else { return nil }
        guard let algorithm = Algorithm(token: parameters["algorithm"] ?? "MD5") else { return nil }
        self.realm = realm
        self.nonce = nonce
        opaque = parameters["opaque"]
        self.algorithm = algorithm
        qopOptions = SIPText.split(parameters["qop"] ?? "", at: ",").map { SIPText.trim($0).lowercased() }.filter { !$0.isEmpty }
        stale = parameters["stale"]?.lowercased() == "true"
    }
}
