import CallPopSIP
import Testing

@Suite struct SIPAddressTests {
    @Test func parsesNameAddrWithQuotedDisplayName() throws {
        let address = try #require(SIPAddress("\"John \\\"JD\\\" Doe\" <sip:+441234567890@pbx.example.com:5061;transport=tls>;tag=abc;expires=60"))
        #expect(address.displayName == "John \"JD\" Doe")
        #expect(address.uri.scheme == "sip")
        #expect(address.uri.user == "+441234567890")
        #expect(address.uri.host == "pbx.example.com")
        #expect(address.uri.port == 5061)
        #expect(address.uri.parameters["transport"] == "tls")
        #expect(address.tag == "abc")
        #expect(address.parameters["expires"] == "60")
    }

    @Test func parsesUnquotedDisplayNameAndAddrSpec() throws {
        let named = try #require(SIPAddress("Bob Builder <sip:202@10.0.0.1>"))
        #expect(named.displayName == "Bob Builder")
        #expect(named.uri.user == "202")
        let bare = try #require(SIPAddress("sip:201@127.0.0.1;tag=xyz"))
        #expect(bare.displayName == nil)
        #expect(bare.uri.raw == "sip:201@127.0.0.1")
        #expect(bare.tag == "xyz")
    }

    @Test func parsesTelAndIPv6AndEscapes() throws {
        let tel = try #require(SIPURI("tel:+1-555-123-4567;phone-context=example.com"))
        #expect(tel.scheme == "tel")
        #expect(tel.user == "+1-555-123-4567")
        #expect(tel.parameters["phone-context"] == "example.com")
        let v6 = try #require(SIPURI("sips:alice%40home@[2001:db8::1]:5061;lr"))
        #expect(v6.user == "alice@home")
        #expect(v6.host == "2001:db8::1")
        #expect(v6.port == 5061)
        #expect(v6.hostPort == "[2001:db8::1]:5061")
        #expect(v6.parameters["lr"] == "")
    }

    @Test func stripsControlCharactersFromDisplayNames() throws {
        let address = try #require(SIPAddress("\"Evil\u{1B}[31m\u{7}Name\" <sip:1@h>"))
        #expect(address.displayName == "Evil[31mName")
    }

    @Test func rejectsNonsense() {
        #expect(SIPAddress("") == nil)
        #expect(SIPAddress("<no-scheme>") == nil)
        #expect(SIPAddress("\"unterminated <sip:a@b>") == nil)
        #expect(SIPURI(":nothing") == nil)
    }
}
