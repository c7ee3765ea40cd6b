import CallPopCore
import CallPopHashing

/// Computes `Authorization` / `Proxy-Authorization` values for a digest challenge
/// (RFC 7616 3.4, RFC 2617 3.2.2, as SIP uses them in RFC 3261 22.4).
public enum DigestResponse {
    /// The header value answering `challenge` for one request.
    /// - Parameters:
    ///   - nonceCount: 1 for the first use of this nonce, then 2, 3...
    ///   - cnonce: a fresh client nonce (only used with `qop`).
    ///   - body: the request body, for `qop=auth-int` (this client's bodies are empty or UTF-8 text).
    public static func authorization(
        challenge: DigestChallenge, method: String, uri: String, username: String, password: String,
        nonceCount: UInt32, cnonce: String, body: [UInt8] = []
    ) -> String {
        let hash: (String) -> String = switch challenge.algorithm {
        case .md5, .md5Session: MD5.hex
        case .sha256, .sha256Session: SHA256.hex
        }
        var ha1 = hash("\(username):\(challenge.realm):\(password)")
        if challenge.algorithm == .md5Session || challenge.algorithm == .sha256Session {
            ha1 = hash("\(ha1):\(challenge.nonce):\(cnonce)")
        }
        // Prefer plain `auth`; `auth-int` only when it is all the server offers.
        let qop: String? = challenge.qopOptions.contains("auth") ? "auth"
            : challenge.qopOptions.contains("auth-int") ? "auth-int" : nil
        let ha2 = qop == "auth-int"
            ? hash("\(method):\(uri):\(hash(String(decoding: body, as: UTF8.self)))")
            : hash("\(method):\(uri)")
        let nc = hex8(nonceCount)
        let response = qop.map { hash("\(ha1):\(challenge.nonce):\(nc):\(cnonce):\($0):\(ha2)") }
            ?? hash("\(ha1):\(challenge.nonce):\(ha2)")
        var parts = [
            "username=\(quote(username))", "realm=\(quote(challenge.realm))", "nonce=\(quote(challenge.nonce))",
            "uri=\(quote(uri))", "response=\(quote(response))", "algorithm=\(challenge.algorithm.rawValue)",
        ]
        if let qop { parts += ["cnonce=\(quote(cnonce))", "qop=\(qop)", "nc=\(nc)"] }
        if let opaque = challenge.opaque { parts.append("opaque=\(quote(opaque))") }
        return "Digest " + parts.joined(separator: ", ")
    }

    private static func hex8(_ value: UInt32) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: max(0, 8 - digits.count)) + digits
    }

    private static func quote(_ text: String) -> String {
        "\"" + text.replacing("\\", with: "\\\\").replacing("\"", with: "\\\"") + "\""
    }
}
