import CallPopCore
import Testing

/// Issue #10, findings 2 and 3: what the launch step does with an expanded app argument.
/// A caller's value must not become an option of the program, and a URL inside an
/// argument (`--app=https://…`) gets the same rules as a URL target.
@Suite("Launch arguments: no option injection, URLs inside words")
struct LaunchArgumentSafetyTests {
    static func caller(name: String, number: String = "+442071234567") -> CallVariables {
        variables(number: number, name: name)
    }

    // MARK: Finding 2: a value-only word starting with '-'

    @Test("a caller value that starts with '-' is refused where it would be a whole argument", arguments: [
        "-f/home/user/.ssh/id_ed25519", "--help", "-", "--", "-n5",
    ])
    func optionInjectionIsRefused(_ name: String) throws {
        let target = try appTarget(argv: ["logger", "-t", "callpop", "{CALLERNAME}"])
        #expect(throws: LaunchRefusal.optionInjection(argument: 3)) {
            try target.plan(Self.caller(name: name), policy: LaunchPolicy())
        }
    }

    @Test func aStaticDoubleDashBeforeTheWordAllowsIt() throws {
        let target = try appTarget("logger -t callpop -- {CALLERNAME}")
        let plan = try target.plan(Self.caller(name: "--help"), policy: LaunchPolicy())
        #expect(plan.argv == ["logger", "-t", "callpop", "--", "--help"])
    }

    @Test func aDoubleDashAfterTheWordDoesNotCount() throws {
        let target = try appTarget("logger {CALLERNAME} --")
        #expect(throws: LaunchRefusal.optionInjection(argument: 1)) {
            try target.plan(Self.caller(name: "-f/etc/shadow"), policy: LaunchPolicy())
        }
    }

    /// Found by fuzzing (the template target's checker): a program named `--` counted as the
    /// `--` that ends the options of its own arguments.
    @Test func theProgramItselfIsNotTheDoubleDash() throws {
        let target = try appTarget(argv: ["--", "{CALLERNAME}"])
        #expect(throws: LaunchRefusal.optionInjection(argument: 1)) {
            try target.plan(Self.caller(name: "-f/"), policy: LaunchPolicy())
        }
    }

    @Test("values inside a word with a fixed prefix are not affected")
    func fixedPrefixIsFine() throws {
        let target = try appTarget("crm --name={CALLERNAME} x{CALLERNUM}")
        let plan = try target.plan(Self.caller(name: "--help", number: "-1"), policy: LaunchPolicy())
        #expect(plan.argv == ["crm", "--name=--help", "x-1"])
    }

    @Test func ordinaryValuesStillLaunch() throws {
        let target = try appTarget("crm {CALLERNUM:e164} {CALLERNAME}")
        let plan = try target.plan(Self.caller(name: "John Doe"), policy: LaunchPolicy())
        #expect(plan.argv == ["crm", "+442071234567", "John Doe"])
    }

    @Test func theEngineSkipsWithTheReason() throws {
        let r = PopupRule(name: "Log", direction: .incoming, trigger: .ringing,
                          target: try appTarget(argv: ["logger", "{CALLERNAME}"]))
        var e = engine([r])
        let d = try firstDecision(&e, event("c1", .ringing, name: "-f/home/user/.ssh/id_ed25519"), at: at(0))
        #expect(d.verdict == .skip)
                #expect(d.reason == .optionInjection)
        #expect(d.plan == nil)
        #expect(d.json.contains(#""reason":"option-injection""#))
    }

    // MARK: Finding 3: URLs inside a word

    @Test("a URL after a fixed prefix gets percent-encoded values", arguments: [
        ("--app=https://crm.example.com/c?q={CALLERNAME}", "--app=https://crm.example.com/c?q=x%26admin%3D1%23frag"),
        ("url:https://crm.example.com/{CALLERNAME}", "url:https://crm.example.com/x%26admin%3D1%23frag"),
        ("--open=x-crm://contacts/find?n={CALLERNAME}", "--open=x-crm://contacts/find?n=x%26admin%3D1%23frag"),
    ])
    func embeddedURLValuesAreEncoded(_ word: String, _ expected: String) throws {
        let target = try appTarget(argv: ["chromium", word])
        let policy = LaunchPolicy(allowedSchemes: ["http", "https", "x-crm"])
        let plan = try target.plan(Self.caller(name: "x&admin=1#frag"), policy: policy)
        #expect(plan.argv == ["chromium", expected])
    }

    @Test func anEmbeddedURLIsHeldToTheSchemeAllowList() throws {
        let target = try appTarget(argv: ["chromium", "--app=file:///home/user/{CALLERNAME}"])
        #expect(throws: LaunchRefusal.url(.schemeNotAllowed("file"))) {
            try target.plan(Self.caller(name: "x"), policy: LaunchPolicy())
        }
    }

    @Test("a host made of a variable is refused at launch too", arguments: [
        "--app=https://{CALLERNAME}/", "url:https://{CALLERNAME}/x", "https://crm.example.com{CALLERNAME}/",
    ])
    func variableHostIsRefused(_ word: String) throws {
        let target = try appTarget(argv: ["chromium", word])
        #expect(throws: LaunchRefusal.url(.hostNotFixed)) {
            try target.plan(Self.caller(name: "evil.example"), policy: LaunchPolicy())
        }
    }

    @Test func dotSegmentsAreRefusedInEmbeddedURLs() throws {
        let target = try appTarget(argv: ["chromium", "--app=https://crm.example.com/contacts/{CALLERNAME}/edit"])
        #expect(throws: LaunchRefusal.url(.dotSegment)) { try target.plan(Self.caller(name: ".."), policy: LaunchPolicy()) }
    }

    @Test("where the URL starts in a word", arguments: [
        ("--app=https://h.example/{CALLERNAME}", "--app=", "https"),
        ("url:https://h.example/{CALLERNAME}", "url:", "https"),
        ("https://h.example/{CALLERNAME}", "", "https"),
        ("-1x+y.z://h.example/{CALLERNAME}", "-1", "x+y.z"),
        ("--x=HTTPS://h.example/{CALLERNAME}", "--x=", "https"),
    ])
    func embeddedURLSplit(_ word: String, _ prefix: String, _ scheme: String) throws {
        let found = try #require(try template(word).embeddedURL)
        #expect(found.prefix == prefix)
        #expect(found.scheme == scheme)
        #expect(found.prefix + found.url.source == word)
    }

    @Test("words without a URL before the first variable are not URLs", arguments: [
        "{CALLERNAME}://h.example/", "--name={CALLERNAME}", "https://h.example/", "mailto:{CALLERNAME}",
    ])
    func notEmbeddedURLs(_ word: String) throws {
        #expect(try template(word).embeddedURL == nil)
    }

    @Test func theRefusalSaysHowToFixIt() {
        #expect(LaunchRefusal.optionInjection(argument: 2).description
            == "argument 2 would start with '-', which the program could read as an option; put -- before it in the rule")
        #expect(LaunchRefusal.url(.hostNotFixed).reason == .refusedURL)
    }
}
