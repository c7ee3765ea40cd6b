import CallPopSIP
import Testing

@Suite struct SIPSourceConfigurationTests {
    @Test func defaultsFollowTheURI() throws {
        let configuration = try SIPSourceConfiguration.validated(uri: "sip:201@pbx.example.com", password: "s")
        #expect(configuration.username == "201")
        #expect(configuration.transport == .udp)
        #expect(configuration.expires == 600)
        #expect(configuration.outboundProxy == nil)
        #expect(configuration.watchedURIs.map(\.raw) == ["sip:201@pbx.example.com"])
        #expect(try SIPSourceConfiguration.validated(uri: "sips:201@pbx.example.com", password: "s").transport == .tls)
    }

    @Test func acceptsEveryKey() throws {
        let configuration = try SIPSourceConfiguration.validated(
            uri: "sip:201@pbx.example.com:5070", username: "auth201", password: "s", transport: "TCP",
            outboundProxy: "10.0.0.5:5080", expires: 300, extensions: ["202", "sip:boss@other.example"], localPort: 5099)
        #expect(configuration.username == "auth201")
        #expect(configuration.transport == .tcp)
        #expect(configuration.outboundProxy?.host == "10.0.0.5")
        #expect(configuration.outboundProxy?.port == 5080)
        #expect(configuration.expires == 300)
        #expect(configuration.localPort == 5099)
        #expect(configuration.watchedURIs.map(\.raw) == ["sip:201@pbx.example.com:5070", "sip:202@pbx.example.com:5070", "sip:boss@other.example"])
    }

    @Test(arguments: [
        ("uri", "pbx.uri must be a SIP address like \"sip:201@pbx.example.com\""),
        ("transport", "pbx.transport must be \"udp\", \"tcp\" or \"tls\""),
        ("expires", "pbx.expires must be between 60 and 86400 seconds"),
        ("local_port", "pbx.local_port must be between 1 and 65535"),
        ("password", "the SIP password is empty: set pbx.password_file or the password environment variable"),
    ])
    func rejectsBadValuesNamingTheKey(key: String, message: String) {
        let configKey = key == "password" ? "pbx.password_file" : "pbx." + key
        #expect(throws: SIPError(.invalidSetting, message, key: configKey)) {
            _ = try SIPSourceConfiguration.validated(
                uri: key == "uri" ? "pbx.example.com" : "sip:201@pbx", password: key == "password" ? "" : "s",
                transport: key == "transport" ? "sctp" : nil, expires: key == "expires" ? 5 : nil,
                localPort: key == "local_port" ? 70000 : nil)
        }
    }
}
