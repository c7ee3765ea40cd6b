import CallPopConfig
import CallPopCore
import Testing

@Suite("Valid configuration")
struct ConfigValidTests {
    static let full = #"""
        [user]
        number = "201"
        name = "John Doe"
        country_code = "44"
        national_prefix = "0"
        international_prefix = "00"

        [pbx]
        source = "ami"
        url = "ami://pbx.example.com:5038"
        username = "callpop"
        password_env = "MY_AMI_SECRET"

        [colleagues]
        numbers = ["2XX", "+44 20 7946 *"]
        same_length_as_user = false

        [launch]
        opener = ["xdg-open"]
        url_schemes = ["https", "http", "tel"]
        max_per_minute = 5
        portal = "never"

        [notifications]
        enabled = true
        phases = ["ringing", "missed"]
        icon = "phone"

        [[popup]]
        name = "New ticket"
        direction = "incoming"
        trigger = "ringing"
        url = "https://desk.example.com/tickets/new?To={CALLERNAME}&Subject=New%20Ticket%20from%20{USERNAME}&From={CALLERNUM}"

        [[popup]]
        name = "Solve360"
        direction = "incoming"
        trigger = "answer"
        url = "https://secure.solve360.com/contact/phonenumber/0{CALLERNUM:3}"
        called_numbers = ["5550100"]

        [[popup]]
        name = "IE"
        direction = "incoming"
        trigger = "on-click"
        app = '"C:\Program Files\Internet Explorer\iexplore.exe" http://host/page?Subaction=StoreNew^&To={CALLERNAME}^&From={CALLERNUM}'

        [[popup]]
        name = "Old"
        id = "old_app"
        direction = "outgoing"
        trigger = "call-generation"
        enabled = false
        app = ["/bin/echo", "{CALLERNUM:e164}", "<<clid>>"]
        remote_numbers = ["+44*"]

        [[popup]]
        name = "Older syntax"
        trigger = "answer"
        app = 'iexplorer.exe "http://host/page?param1={USERNAME}&Department=Support&Number={CALLERNUM}"'
        """#

    static let environment = standardEnvironment.merging(["MY_AMI_SECRET": "s3cret"]) { $1 }

    @Test func everyTableIsRead() throws {
        let c = try load(Self.full, environment: Self.environment)
        #expect(c.files == ["test.toml"])
        let rs = c.ruleSet
        #expect(rs.user == UserIdentity(
            number: "201", name: "John Doe",
            numberPlan: NumberPlan(countryCode: "44", nationalPrefix: "0", internationalPrefix: "00")))
        #expect(rs.colleagues.patterns.map(\.source) == ["2XX", "+44 20 7946 *"])
        #expect(!rs.colleagues.sameLengthAsUser)
        #expect(rs.launch == LaunchPolicy(opener: ["xdg-open"], allowedSchemes: ["https", "http", "tel"]))
        #expect(rs.launchesPerMinute == 5)
        #expect(c.portal == .never)
        #expect(c.notifications == NotificationPreferences(enabled: true, phases: ["ringing", "missed"], icon: "phone"))
        #expect(c.pbx.source == .ami)
        #expect(c.pbx.values == ["url": .string("ami://pbx.example.com:5038"), "username": .string("callpop")])
        #expect(c.pbx.string("url") == "ami://pbx.example.com:5038")
        #expect(c.pbx.secret == "s3cret")
    }

    @Test func rulesAreReadInOrder() throws {
        let rules = try load(Self.full, environment: Self.environment).ruleSet.rules
        #expect(rules.map(\.id) == ["new-ticket", "solve360", "ie", "old_app", "older-syntax"])
        #expect(rules.map(\.name) == ["New ticket", "Solve360", "IE", "Old", "Older syntax"])
        #expect(rules.map(\.trigger) == [.ringing, .answer, .onClick, .callGeneration, .answer])
        #expect(rules.map(\.direction) == [.incoming, .incoming, .incoming, .outgoing, .any])
        #expect(rules.map(\.enabled) == [true, true, true, false, true])
        #expect(rules.map(\.target.kind) == [.url, .url, .app, .app, .app])
        #expect(rules[1].calledNumbers.map(\.source) == ["5550100"])
        #expect(rules[3].remoteNumbers.map(\.source) == ["+44*"])
        guard case .app(let words) = rules[2].target else { Issue.record("IE is not an app"); return }
        #expect(words.map(\.source) == [
            #"C:\Program Files\Internet Explorer\iexplore.exe"#,
            "http://host/page?Subaction=StoreNew&To={CALLERNAME}&From={CALLERNUM}",
        ])
    }

    @Test func programsMissingFromPATHAreWarnings() throws {
        let c = try load(Self.full, environment: Self.environment)
        #expect(c.warnings.map(\.description) == [
            #"test.toml:46:7: warning: program 'C:\Program Files\Internet Explorer\iexplore.exe' of popup 'IE' is not on PATH"#,
            "test.toml:54:7: warning: argument 2 of popup 'Old' starts with a variable: a call whose value starts with '-' is skipped (option-injection), because the program would read it as an option; put -- before it (app = \"program -- {CALLERNAME}\"), fixed text before the variable (--name={CALLERNAME}), or read the CALLPOP_* environment variables",
            "test.toml:60:7: warning: program 'iexplorer.exe' of popup 'Older syntax' is not on PATH",
        ])
    }

    @Test func theWorkedExamplesRunFromTheFile() throws {
        var engine = DecisionEngine(ruleSet: try load(Self.full, environment: Self.environment).ruleSet)
        let t0 = ContinuousClock.now
        let ring = engine.handle(
            CallEvent(callID: "c1", state: .ringing, direction: .incoming, remoteNumber: "+442071234567",
                      remoteName: "John Doe", calledNumber: "5550100"), at: t0)
        #expect(ring.decisions.map { "\($0.ruleID) \($0.verdict.rawValue)" } == ["ie offer", "new-ticket launch"])
        #expect(ring.decisions[0].plan == nil, "an offer is expanded only when something shows it")
        #expect(ring.offers[0].plan?.argv == [
            #"C:\Program Files\Internet Explorer\iexplore.exe"#,
            "http://host/page?Subaction=StoreNew&To=John%20Doe&From=%2B442071234567",
        ])
        #expect(ring.decisions[1].plan?.argv == [
            "xdg-open",
            "https://desk.example.com/tickets/new?To=John%20Doe&Subject=New%20Ticket%20from%20John%20Doe&From=%2B442071234567",
        ])
        let answer = engine.handle(CallEvent(callID: "c1", state: .answered, direction: .incoming), at: t0)
        #expect(answer.decisions.map { "\($0.ruleID) \($0.verdict.rawValue)" } == ["solve360 launch", "older-syntax launch"])
        #expect(answer.decisions[0].plan?.argv == ["xdg-open", "https://secure.solve360.com/contact/phonenumber/02071234567"])
        #expect(answer.decisions[1].plan?.argv == [
            "iexplorer.exe", "http://host/page?param1=John%20Doe&Department=Support&Number=%2B442071234567",
        ])
        let out = engine.handle(
            CallEvent(callID: "c2", state: .ringing, direction: .outgoing, remoteNumber: "02079460000"), at: t0)
        #expect(out.decisions.map { "\($0.ruleID) \($0.verdict.rawValue) \($0.reason?.rawValue ?? "")" } == ["old_app skip disabled"])
    }

    @Test func defaultsOfAMinimalFile() throws {
        let c = try load(userHead)
        #expect(c.ruleSet.user == UserIdentity(number: "201"))
        #expect(c.ruleSet.user.numberPlan == NumberPlan(countryCode: "", nationalPrefix: "0", internationalPrefix: "00"))
        #expect(c.ruleSet.colleagues == ColleaguePolicy(patterns: [], sameLengthAsUser: true))
        #expect(c.ruleSet.launch == LaunchPolicy(opener: ["xdg-open"], allowedSchemes: ["http", "https"]))
        #expect(c.ruleSet.launchesPerMinute == 10)
        #expect(c.ruleSet.rules.isEmpty)
        #expect(c.portal == .auto)
        #expect(c.notifications == NotificationPreferences(enabled: true, phases: ["ringing", "answered", "missed"], icon: ""))
        #expect(c.pbx == PBXSettings(source: .none, values: [:], secret: nil))
        #expect(c.warnings.isEmpty)
    }

    @Test func alternativeSpellings() throws {
        let c = try load(#"""
            [user]
            number = "201"
            country_code = 44

            [launch]
            opener = "firefox --new-tab"
            url_schemes = ["HTTPS", "tel"]

            [[popup]]
            name = "Dial"
            direction = "any"
            trigger = "on-click"
            url = "tel:{CALLERNUM:e164}"
            called_numbers = "5550100"
            """#, environment: ["PATH": "/nonexistent"])
        #expect(c.ruleSet.user.numberPlan.countryCode == "44")
        #expect(c.ruleSet.launch.opener == ["firefox", "--new-tab"])
        #expect(c.ruleSet.launch.allowedSchemes == ["https", "tel"])
        #expect(c.ruleSet.rules.first?.calledNumbers.map(\.source) == ["5550100"])
        #expect(c.warnings.map(\.description) == ["test.toml:6:10: warning: URL opener 'firefox' is not on PATH (install xdg-utils)"])
        #expect(try load("[user]\nnumber = \"201\"\ncountry_code = \"+44\"\n").ruleSet.user.numberPlan.countryCode == "44")
    }

    @Test func demoConfigurationOfTheProductLoads() throws {
        // The sample users first see must itself be valid.
        let c = try load(#"""
            [user]
            number = "201"
            name = "Alice Agent"
            country_code = "44"

            [[popup]]
            name = "Call log"
            direction = "outgoing"
            trigger = "call-generation"
            app = "logger -t callpop-demo 'calling {CALLERNUM:national} for {USERNAME}'"
            """#)
        guard case .app(let words) = c.ruleSet.rules.first?.target else { Issue.record("not an app"); return }
        #expect(words.map(\.source) == ["logger", "-t", "callpop-demo", "calling {CALLERNUM:national} for {USERNAME}"])
    }
}
