import CallPopConfig
import Testing

/// Review findings: a caller must not choose the site an app rule opens, and a password
/// must not ride in a PBX URL where error messages would echo it.
@Suite("Configuration safety")
struct ConfigSafetyTests {
    @Test func anAppURLWhoseHostIsAVariableIsRefused() {
        let text = userHead + """
            [[popup]]
            name = "Browser"
            trigger = "on-click"
            app = "firefox https://{CALLERNAME}/x"

            """
        #expect(diagnostics(text).contains {
            $0.hasSuffix("argument 1 of popup 'Browser' is a URL whose host is not fixed text: a caller must not choose the site")
        }, "\(diagnostics(text))")
    }

    @Test func aPasswordInTheAMIURLIsRefusedWithoutEchoingIt() {
        let text = userHead + "[pbx]\nsource = \"ami\"\nurl = \"ami://admin:hunter2@pbx\"\nusername = \"popup\"\n"
        let found = diagnostics(text, environment: standardEnvironment.merging(["CALLPOP_PBX_PASSWORD": "x"]) { $1 })
        #expect(found.contains { $0.hasSuffix("url must not carry a user or password: use username and password_file") }, "\(found)")
        #expect(!found.joined().contains("hunter2"))
    }

    @Test func aPasswordInTheSIPURIIsRefused() {
        let text = userHead + "[pbx]\nsource = \"sip\"\nuri = \"sip:201:hunter2@pbx.example.com\"\n"
        let found = diagnostics(text, environment: standardEnvironment.merging(["CALLPOP_PBX_PASSWORD": "x"]) { $1 })
        #expect(found.contains { $0.contains("uri must not carry a password") }, "\(found)")
        #expect(!found.joined().contains("hunter2"))
    }
}
