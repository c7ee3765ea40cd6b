import CallPopConfig
import CallPopCore
import Testing

/// `[dial]`: what loads (with its defaults), and each mistake as `FILE:LINE:COLUMN: message`.
@Suite("[dial] configuration")
struct DialConfigTests {
    /// The user head and a `[dial]` table made of `lines` (the table header is line 4).
    func dial(_ lines: String...) -> String {
        userHead + "[dial]\n" + lines.joined(separator: "\n") + "\n"
    }

    @Test func defaults() throws {
        let settings = try #require(try load(userHead).dial)
        #expect(settings.confirm)
        #expect(settings.perMinute == 6)
        #expect(settings.ringTimeout == .seconds(30))
        #expect(settings.plan.extensionMaxDigits == 3)
        #expect(settings.plan.outsideLinePrefix == "")
        #expect(settings.context == nil && settings.http == nil && settings.app == nil)
        #expect(settings.path(amiAvailable: true) == nil)
    }

    @Test func amiSettingsWithTheFirstDeviceAsChannel() throws {
        let text = """
            [user]
            number = "201"
            country_code = "44"

            [pbx]
            source = "ami"
            url = "ami://127.0.0.1:5038"
            username = "popup"
            devices = ["PJSIP/201-desk", "PJSIP/201"]

            [dial]
            context = "from-internal"
            prefix = "9"
            timeout = 20
            rate_limit = 3
            confirm = false
            rewrite = [{ match = "00*", replace = "+" }]
            deny = ["09*", { match = "+44 87*", reason = "premium rate" }]
            """
        let settings = try #require(try load(text, environment: standardEnvironment.merging(["CALLPOP_PBX_PASSWORD": "x"]) { $1 }).dial)
        #expect(settings.context == "from-internal")
        #expect(settings.channel == "PJSIP/201-desk")
        #expect(settings.ringTimeout == .seconds(20))
        #expect(settings.perMinute == 3)
        #expect(!settings.confirm)
        #expect(settings.path(amiAvailable: true) == .ami)
        #expect(try settings.plan.plan("+49 30 1234567").number == "9+49301234567")
        #expect(try settings.plan.plan("020 7946 0000").number == "902079460000")
        #expect(throws: DialError.self) { try settings.plan.plan("+44 871 234 5678") }
        #expect(settings.plan.denials.map(\.reason) == ["", "premium rate"])
    }

    @Test func httpAndApp() throws {
        let settings = try #require(try load(dial(
            #"url = "https://pbx.example.com/api/call?to={DIALNUM}""#,
            #"form = "from={USERNUM}&to={DIALNUM:e164}""#,
            #"app = ["softphone", "--call", "{DIALNUM}"]"#)).dial)
        #expect(settings.http?.method == "POST", "a body makes it a POST")
        #expect(settings.app?.count == 3)
        #expect(settings.path(amiAvailable: false) == .http)
    }

    @Test(arguments: [
        (#"prefix = "9a""#, #"test.toml:5:10: the outside-line prefix "9a" must be up to 8 digits, * or #"#),
        ("timeout = 2", "test.toml:5:11: timeout must be from 5 to 300 seconds (how long your phone may ring)"),
        ("rate_limit = 100", "test.toml:5:14: rate_limit must be from 0 (no limit) to 60 dials per minute"),
        (#"context = "a,b""#, "test.toml:5:11: context: Context contains a character the PBX does not accept there"),
        (#"rewrite = [{ match = "0*", replace = "x" }]"#,
         #"test.toml:5:11: rewrite 1: the rewrite replacement "x" may hold only digits, *, # and +"#),
        (#"deny = [1]"#, #"test.toml:5:8: each deny rule is a pattern or { match = "PATTERN", reason = "why" } (rule 1)"#),
        (#"body = "to={DIALNUM}""#,
         #"test.toml:5:8: write the request body as form = "number={DIALNUM}" or json = '{"to": "{DIALNUM}"}': the body's type decides how {DIALNUM} is encoded"#),
        (#"url = "{DIALNUM}@evil.example""#, "test.toml:5:7: url must start with a fixed scheme such as https://, not a variable"),
        (#"app = ["{DIALNUM}"]"#, "test.toml:5:7: the program of app must be fixed text, not a variable"),
        (#"method = "POST""#, "test.toml:5:10: method belongs to the HTTP click-to-call request: set url too"),
        (#"contxt = "internal""#, "test.toml:5:10: unknown key 'contxt' in [dial]; did you mean 'context'?"),
    ])
    func errors(line: String, expected: String) {
        #expect(diagnostics(dial(line)) == [expected])
    }

    /// `{DIALNUM}` belongs to `[dial]`: a popup that uses it is told so.
    @Test func dialNumberOnlyInDial() {
        let text = userHead + "[[popup]]\nname = \"x\"\ntrigger = \"ringing\"\nurl = \"https://crm.example.com/?n={DIALNUM}\"\n"
        #expect(diagnostics(text) == ["test.toml:7:7: {DIALNUM} is known only to [dial] templates (the number callpop dials); here use {CALLERNUM}"])
    }
}
