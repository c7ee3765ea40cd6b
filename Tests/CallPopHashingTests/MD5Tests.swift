import CallPopHashing
import Testing

/// MD5 against the test suite of RFC 1321, appendix A.5, plus padding edges.
@Suite struct MD5Tests {
    @Test(arguments: [
        ("", "d41d8cd98f00b204e9800998ecf8427e"),
        ("a", "0cc175b9c0f1b6a831c399e269772661"),
        ("abc", "900150983cd24fb0d6963f7d28e17f72"),
        ("message digest", "f96b697d7cb7938d525a2f31aaf161d0"),
        ("abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b"),
        ("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", "d174ab98d277d9f5a5611c2c9f419d9f"),
        ("12345678901234567890123456789012345678901234567890123456789012345678901234567890",
         "57edf4a22be3c955ac49da2e2107b67a"),
    ])
    func rfc1321TestSuite(input: String, expected: String) {
        #expect(MD5.hex(input) == expected)
    }

    /// 55, 56 and 64 bytes straddle the padding boundary (one vs two final blocks).
    @Test(arguments: [
        (55, "ef1772b6dff9a122358552954ad0df65"),
        (56, "3b0c8ac703f828b04c6c197006d17218"),
        (64, "014842d480b571495a4a0363793f7367"),
    ])
    func paddingBoundaries(length: Int, expected: String) {
        #expect(MD5.hex(String(repeating: "a", count: length)) == expected)
    }

    @Test func digestReturnsSixteenRawBytes() {
        let bytes = MD5.digest([UInt8]("abc".utf8))
        #expect(bytes == [0x90, 0x01, 0x50, 0x98, 0x3c, 0xd2, 0x4f, 0xb0, 0xd6, 0x96, 0x3f, 0x7d, 0x28, 0xe1, 0x7f, 0x72])
    }

    /// The AMI challenge key: md5(challenge + secret), as Asterisk's manager.c computes it.
    @Test func amiChallengeKey() {
        #expect(MD5.hex("840415273" + "mysecret") == "72ee2809cbf69e9bdb27bdd924cda8e3")
    }
}
