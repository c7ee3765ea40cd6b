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

    // MARK: Issue #10, finding 3: URLs inside app arguments

    @Test("an app argument holding a URL must fix its host", arguments: [
        ("app = \"chromium --app=https://{CALLERNAME}/\"", 17),
        ("app = \"tool url:https://{CALLERNAME}/x\"", 13),
        ("app = [\"chromium\", \"--app=https://crm.example.com{CALLERNAME}/\"]", 7),
    ])
    func embeddedURLWithAVariableHost(_ line: String, _ column: Int) {
        let text = userHead + "[[popup]]\nname = \"Browser\"\ntrigger = \"on-click\"\n" + line + "\n"
        let found = diagnostics(text)
        #expect(found == [
            "test.toml:7:\(column): argument 1 of popup 'Browser' is a URL whose host is not fixed text: a caller must not choose the site",
        ])
    }

    // MARK: Issue #10, finding 2: check explains the option-injection rule

    @Test("an argument that is a caller's value is warned about unless -- or a number form comes first", arguments: [
        ("app = \"crm {CALLERNAME}\"", ["test.toml:7:12: warning: argument 1 of popup 'CRM' starts with a variable: a call whose value starts with '-' is skipped (option-injection), because the program would read it as an option; put -- before it (app = \"program -- {CALLERNAME}\"), fixed text before the variable (--name={CALLERNAME}), or read the CALLPOP_* environment variables"]),
        ("app = \"crm -- {CALLERNAME}\"", []),
        ("app = \"crm {CALLERNUM:e164} --name={CALLERNAME}\"", []),
    ])
    func optionWarnings(_ line: String, _ expected: [String]) throws {
        let text = userHead + "[[popup]]\nname = \"CRM\"\ntrigger = \"ringing\"\n" + line + "\n"
        let c = try load(text, environment: ["PATH": "/nonexistent"])
        #expect(c.warnings.map(\.description).filter { $0.contains("argument") } == expected)
    }

    @Test func anAppArgumentURLMustUseAnAllowedScheme() {
        let text = userHead + "[[popup]]\nname = \"Files\"\ntrigger = \"on-click\"\napp = \"viewer --open=file:///srv/{CALLERNUM}\"\n"
        let found = diagnostics(text)
        #expect(found == [
            "test.toml:7:15: argument 1 of popup 'Files' is a URL with scheme 'file', which [launch] url_schemes does not allow",
        ])
    }
}
