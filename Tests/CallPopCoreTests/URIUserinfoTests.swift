import CallPopCore
import Testing

/// One policy for passwords in URIs (issue #10, finding 7).
@Suite("URI userinfo")
struct URIUserinfoTests {
    @Test("passwords are found in every shape of URI the configuration takes", arguments: [
        ("sip:201:hunter2@pbx.example.com", true), ("sips:201:hunter2@pbx.example.com:5061;transport=tls", true),
        ("proxy:hunter2@pbx.example.com", true), ("ami://admin:hunter2@pbx:5038", true),
        ("https://user:token@crm.example.com/x", true), ("sip:201@pbx.example.com", false),
        ("pbx.example.com:5060", false), ("sip:pbx.example.com:5060", false), ("202", false),
        ("https://crm.example.com/a:b@c", false), ("https://user@crm.example.com/", false),
        ("sip:201@pbx.example.com;x=a:b@c", false),
    ])
    func passwords(_ uri: String, _ expected: Bool) {
        #expect(URIUserinfo.hasPassword(uri) == expected)
    }

    @Test("what may be logged", arguments: [
        ("sip:202:hunter2@pbx.example.com", "sip:202@pbx.example.com"),
        ("sip:202@pbx.example.com", "sip:202@pbx.example.com"),
        ("ami://admin:hunter2@pbx:5038", "ami://pbx:5038"),
        ("https://user@crm.example.com/x?y=1", "https://crm.example.com/x?y=1"),
        ("proxy:hunter2@pbx.example.com", "proxy@pbx.example.com"),
        ("pbx.example.com", "pbx.example.com"),
    ])
    func redacted(_ uri: String, _ logged: String) {
        #expect(URIUserinfo.redacted(uri) == logged)
    }
}
