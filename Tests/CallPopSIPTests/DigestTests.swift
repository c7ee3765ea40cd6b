import CallPopCore
import CallPopHashing
import CallPopSIP
import Testing

@Suite struct DigestTests {
    /// RFC 7616 section 3.9.1: the same request answered with MD5 and with SHA-256.
    static let rfc7616 = #"Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=ALGO, nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS""#

    @Test(arguments: [
        ("MD5", "8ca523f5e9506fed4657c9700eebdbec"),
        ("SHA-256", "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1"),
    ])
    func rfc7616Examples(algorithm: String, response: String) throws {
        let challenge = try #require(DigestChallenge(headerValue: Self.rfc7616.replacing("ALGO", with: algorithm)))
        #expect(challenge.realm == "http-auth@example.org")
        #expect(challenge.qopOptions == ["auth", "auth-int"])
        #expect(challenge.opaque == "FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS")
        let value = DigestResponse.authorization(
            challenge: challenge, method: "GET", uri: "/dir/index.html", username: "Mufasa", password: "Circle of Life",
            nonceCount: 1, cnonce: "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ")
        #expect(value == #"Digest username="Mufasa", realm="http-auth@example.org", nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", uri="/dir/index.html", response="\#(response)", algorithm=\#(algorithm), cnonce="f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ", qop=auth, nc=00000001, opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS""#)
    }

    /// RFC 2617 section 3.5 (MD5, qop=auth).
    @Test func rfc2617Example() throws {
        let challenge = try #require(DigestChallenge(headerValue: #"Digest realm="testrealm@host.com", qop="auth,auth-int", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41""#))
        let value = DigestResponse.authorization(
            challenge: challenge, method: "GET", uri: "/dir/index.html", username: "Mufasa", password: "Circle Of Life",
            nonceCount: 1, cnonce: "0a4f113b")
        #expect(value.contains(#"response="6629fae49393a05397450978507c4ef1""#))
    }

    /// Without qop (RFC 2069 style, still sent by old PBXes): H(HA1:nonce:HA2), no nc/cnonce.
    @Test func withoutQop() throws {
        let challenge = DigestChallenge(realm: "r", nonce: "n")
        let value = DigestResponse.authorization(challenge: challenge, method: "SUBSCRIBE", uri: "sip:201@r", username: "201", password: "p", nonceCount: 1, cnonce: "c")
        let expected = MD5.hex("\(MD5.hex("201:r:p")):n:\(MD5.hex("SUBSCRIBE:sip:201@r"))")
        #expect(value == #"Digest username="201", realm="r", nonce="n", uri="sip:201@r", response="\#(expected)", algorithm=MD5"#)
    }

    /// MD5-sess and SHA-256-sess mix the nonces into HA1; nonce counts are 8 hex digits.
    @Test func sessionAlgorithmsAndNonceCount() throws {
        for (token, hex) in [("MD5-sess", MD5.hex), ("SHA-256-sess", SHA256.hex)] {
            let challenge = try #require(DigestChallenge(headerValue: "Digest realm=\"r\", nonce=\"n\", qop=\"auth\", algorithm=\(token)"))
            let value = DigestResponse.authorization(challenge: challenge, method: "SUBSCRIBE", uri: "sip:u@r", username: "u", password: "p", nonceCount: 0x1a, cnonce: "c")
            let ha1 = hex("\(hex("u:r:p")):n:c")
            let response = hex("\(ha1):n:0000001a:c:auth:\(hex("SUBSCRIBE:sip:u@r"))")
            #expect(value.contains("response=\"\(response)\""), "\(token)")
            #expect(value.contains("nc=0000001a"))
            #expect(value.contains("algorithm=\(token)"))
        }
    }

    @Test func parsesStaleAndRejectsOtherSchemes() {
        #expect(DigestChallenge(headerValue: #"Digest realm="r", nonce="n2", stale=TRUE"#)?.stale == true)
        #expect(DigestChallenge(headerValue: #"Digest realm="r", nonce="n2""#)?.stale == false)
        #expect(DigestChallenge(headerValue: #"Basic realm="r""#) == nil)
        #expect(DigestChallenge(headerValue: #"Digest realm="r""#) == nil)
        #expect(DigestChallenge(headerValue: #"Digest realm="r", nonce="n", algorithm=SHA-512-256"#) == nil)
        #expect(DigestChallenge(headerValue: "Digest") == nil)
    }
}
