import CallPopAMI
import CallPopTestSupport
import Testing

/// URL parsing.
@Suite struct AMIConfigurationTests {
    @Test(arguments: [
        ("ami://pbx.example.com", "pbx.example.com", 5038, false),
        ("ami://pbx.example.com:6038/", "pbx.example.com", 6038, false),
        ("amis://pbx.example.com", "pbx.example.com", 5039, true),
        ("AMIS://10.0.0.5:15039", "10.0.0.5", 15039, true),
        ("ami://[2001:db8::5]:5038", "2001:db8::5", 5038, false),
        ("amis://[::1]", "::1", 5039, true),
    ])
    func validURLs(url: String, host: String, port: Int, tls: Bool) throws {
        let endpoint = try AMIEndpoint(url: url)
        #expect(endpoint.host == host)
        #expect(endpoint.port == port)
        #expect(endpoint.tls == tls)
    }

    @Test(arguments: [
        "pbx.example.com:5038", "http://pbx:5038", "ami://", "ami://pbx:0", "ami://pbx:70000", "ami://pbx:50x",
        "ami://user@pbx", "ami://[::1", "ami://[::1]x", "ami://pbx/path",
    ])
    func invalidURLs(url: String) {
        #expect(throws: AMIError(.invalidConfiguration,
            "pbx url \"\(url)\" is not ami://host[:port] or amis://host[:port]")) {
            _ = try AMIEndpoint(url: url)
        }
    }

    @Test func endpointDescriptionBracketsIPv6() throws {
        #expect(try AMIEndpoint(url: "ami://[::1]").description == "[::1]:5038")
        #expect(try AMIEndpoint(url: "amis://pbx").description == "pbx:5039")
    }
}
