import CallPopConfig
import CallPopPlatform
import Foundation
import Testing

/// Every load-time error, with the exact `FILE:LINE:COLUMN: message` a user sees.
@Suite("Configuration errors")
struct ConfigErrorTests {
    static let knownVariables =
        "{CALLERNUM} {CALLERNAME} {USERNUM} {USERNAME} {CALLTYPE} {TAGS} {CHANNEL} {CALLEDNUM} {CALLID} {CONTACTNAME} {CONTACTORG} {CONTACTURL} {CONTACTID} {DIRECTORY}; in callbacks also {EVENT} {DURATION} {DISPOSITION}"

    /// A file with the user head and one popup made of `lines` (the popup header is line 4).
    func popup(_ lines: String...) -> String {
        userHead + "[[popup]]\n" + lines.joined(separator: "\n") + "\n"
    }

    @Test func unknownKeyInUser() {
        #expect(diagnostics("[user]\nnumber = \"201\"\nnmae = \"John\"\n") == [
            "test.toml:3:8: unknown key 'nmae' in [user]; did you mean 'name'?",
        ])
    }

    @Test func unknownKeyInPopup() {
        #expect(diagnostics(popup(
            #"name = "CRM""#, #"direction = "incoming""#, #"trigger = "ringing""#, #"url = "https://crm.example.com/""#,
            #"colour = "red""#)) == [
            "test.toml:9:10: unknown key 'colour' in [[popup]]; known keys: anonymous, app, called_numbers, direction, directory, enabled, id, known, name, remote_numbers, trigger, url",
        ])
    }

    @Test func unknownKeyInTheSecondPopupPointsThere() {
        let text = popup(#"name = "A""#, #"trigger = "on-click""#, #"url = "https://a.example/""#)
            + "\n[[popup]]\nname = \"B\"\ntrigger = \"on-click\"\n  url = \"https://b.example/\"\n  urll = 1\n"
        #expect(diagnostics(text) == [
            "test.toml:13:10: unknown key 'urll' in [[popup]]; did you mean 'url'?",
        ])
    }

    @Test func unknownTableAndTopLevelKey() {
        #expect(diagnostics(userHead + "[users]\nname = \"x\"\n") == [
            "test.toml:4:1: unknown table or key 'users'; did you mean [user]?",
        ])
        #expect(diagnostics("debug = true\n" + userHead) == [
            "test.toml:1:9: unknown table or key 'debug'; known tables: callback, colleagues, dial, directory, history, launch, lookup, notifications, pbx, popup, provisioning, user",
        ])
    }

    @Test func ringingIsForIncomingCalls() {
        #expect(diagnostics(popup(
            #"name = "CRM""#, #"direction = "outgoing""#, #"trigger = "ringing""#, #"url = "https://crm.example.com/""#)) == [
            "test.toml:7:11: trigger 'ringing' cannot be used with direction 'outgoing': ringing is for incoming calls; for outgoing calls use call-generation",
        ])
    }

    @Test func callGenerationIsForOutgoingCalls() {
        #expect(diagnostics(popup(
            #"name = "CRM""#, #"direction = "incoming""#, #"trigger = "call-generation""#, #"url = "https://crm.example.com/""#)) == [
            "test.toml:7:11: trigger 'call-generation' cannot be used with direction 'incoming': call-generation is for outgoing calls; for incoming calls use ringing",
        ])
    }

    @Test func aRuleNeedsExactlyOneTarget() {
        #expect(diagnostics(popup(#"name = "CRM""#, #"trigger = "on-click""#)) == [
            "test.toml:4:1: popup 'CRM' needs a target: url = \"https://…\" or app = \"program args…\"",
        ])
        #expect(diagnostics(popup(
            #"name = "CRM""#, #"trigger = "on-click""#, #"url = "https://crm.example.com/""#, #"app = "crm-tool""#)) == [
            "test.toml:8:7: popup 'CRM' has both url and app: keep exactly one",
        ])
    }

    @Test func unknownVariableInAURLPointsIntoTheString() {
        #expect(diagnostics(popup(#"name = "CRM""#, #"trigger = "on-click""#, #"url = "https://crm.example.com/?n={CALLERNUMBER}""#)) == [
            "test.toml:7:35: unknown variable {CALLERNUMBER}; did you mean {CALLERNUM}?",
        ])
        // Literal strings and extra blanks: the column is still that of the brace.
        #expect(diagnostics(popup(#"name = "CRM""#, #"trigger = "on-click""#, #"url   =   'https://x.example/{callernum}'"#)) == [
            "test.toml:7:30: unknown variable {callernum}; did you mean {CALLERNUM}?",
        ])
    }

    @Test func badModifierAndFormOnText() {
        #expect(diagnostics(popup(#"name = "CRM""#, #"trigger = "on-click""#, #"url = "https://x.example/{CALLERNAME:e164}""#)) == [
            "test.toml:7:26: {CALLERNAME:e164}: the number forms apply only to CALLERNUM, CALLEDNUM and USERNUM",
        ])
        #expect(diagnostics(popup(#"name = "CRM""#, #"trigger = "on-click""#, #"url = "https://x.example/{CALLERNUM:intl}""#)) == [
            "test.toml:7:26: bad modifier 'intl' in {CALLERNUM:intl}: use a count of characters to drop, or e164, national, digits",
        ])
    }

    @Test func unknownVariableInAnApp() {
        #expect(diagnostics(popup(#"name = "CRM""#, #"trigger = "on-click""#, #"app = "crm-tool {FOO}""#)) == [
            "test.toml:7:7: unknown variable {FOO}; known: \(Self.knownVariables)",
        ])
        #expect(diagnostics(popup(#"name = "CRM""#, #"trigger = "on-click""#, #"app = ["crm-tool", "{FOO}"]"#)) == [
            "test.toml:7:7: unknown variable {FOO}; known: \(Self.knownVariables)",
        ])
    }

    @Test("a URL whose static part is not an absolute URL is refused", arguments: [
        ("crm.example.com/?n={CALLERNUM}", "url must start with its scheme: write \"https://crm.example.com/?n={CALLERNUM}\" (or http://)"),
        ("{CALLERNAME}", "url must start with a fixed scheme such as https://, not a variable"),
        ("https://crm example.com/?n={CALLERNUM}", "url is not a valid absolute URL: whitespace or a control character in the URL"),
        ("javascript:alert({CALLERNAME})", "url is not a valid absolute URL: scheme 'javascript' is not allowed (see [launch] url_schemes)"),
        ("file:///home/me/{CALLERNUM}.html", "url is not a valid absolute URL: scheme 'file' is not allowed (see [launch] url_schemes)"),
        ("https:///x/{CALLERNUM}", "url is not a valid absolute URL: no host after the scheme"),
        ("https://x.example/?q=100%", "url is not a valid absolute URL: character 'U+25' is not allowed in a URL"),
    ])
    func staticURL(_ url: String, _ message: String) {
        #expect(diagnostics(popup(#"name = "CRM""#, #"trigger = "on-click""#, "url = \"\(url)\"")) == ["test.toml:7:7: \(message)"])
    }

    @Test func configuredSchemesAreAcceptedInTemplates() {
        #expect(diagnostics(userHead + "[launch]\nurl_schemes = [\"tel\"]\n\n[[popup]]\nname = \"Dial\"\ntrigger = \"on-click\"\nurl = \"tel:{CALLERNUM}\"\n").isEmpty)
    }

    @Test("values of the wrong type", arguments: [
        ("[user]\nname = 201\nnumber = \"201\"\n", "test.toml:2:8: name must be a string, not an integer"),
        (userHead + "[launch]\nmax_per_minute = \"10\"\n", "test.toml:5:18: max_per_minute must be an integer, not a string"),
        (userHead + "[launch]\nmax_per_minute = -1\n", "test.toml:5:18: max_per_minute must be 0 (no limit) or more"),
        (userHead + "[launch]\nurl_schemes = \"https\"\n", "test.toml:5:15: url_schemes must be an array of strings, not a string"),
        (userHead + "[launch]\nurl_schemes = [\"https\", 1]\n", "test.toml:5:15: url_schemes must hold only strings"),
        (userHead + "[launch]\nportal = \"sometimes\"\n", "test.toml:5:10: portal must be auto, always or never, not 'sometimes'"),
        (userHead + "[launch]\nopener = \"\"\n", "test.toml:5:10: opener must name a program"),
        (userHead + "[launch]\nopener = \"xdg-open 'x\"\n", "test.toml:5:10: opener: unterminated single quote"),
        (userHead + "[colleagues]\nsame_length_as_user = \"no\"\n", "test.toml:5:23: same_length_as_user must be true or false, not a string"),
        (userHead + "[notifications]\nphases = [\"ringing\", \"busy\"]\n", "test.toml:5:10: unknown phase 'busy'; use ringing, answered, missed"),
        (userHead + "[notifications]\nenabled = 1.5\n", "test.toml:5:11: enabled must be true or false, not a floating-point number"),
        (userHead + "[pbx]\nsource = \"asterisk\"\n", "test.toml:5:10: unknown source 'asterisk'; use none, ami, sip, events, stream"),
        ("[user]\nnumber = \"201\"\ncountry_code = \"UK\"\n", "test.toml:3:16: country_code must be digits, e.g. \"44\""),
        ("[user]\nnumber = \"201\"\ncountry_code = true\n", "test.toml:3:16: country_code must be a string such as \"44\""),
        ("[user]\nnumber = \"201\"\nname = 1979-05-27\n", "test.toml:3:8: name must be a string, not a date"),
        ("user = \"201\"\n[launch]\n", "test.toml:1:8: 'user' must be a table: write [user]"),
        (userHead + "[popup]\nname = \"x\"\n", "test.toml:4:1: 'popup' must be written as [[popup]] tables"),
    ])
    func wrongTypes(_ text: String, _ expected: String) {
        #expect(diagnostics(text).contains(expected), "\(diagnostics(text))")
    }

    @Test("popup values of the wrong type", arguments: [
        (#"enabled = "yes""#, "test.toml:8:11: enabled must be true or false"),
        ("url = 5", "test.toml:8:7: url must be a string"),
        ("app = 5", "test.toml:8:7: app must be a command line string or an array of strings"),
        (#"app = ["crm-tool", 1]"#, "test.toml:8:7: app array items must be strings"),
        (#"app = """#, "test.toml:8:7: app names no program"),
        ("app = []", "test.toml:8:7: app names no program"),
        (#"app = "{CALLERNAME} --x""#, "test.toml:8:7: the program name must be fixed text, not a variable"),
        (#"app = 'crm "abc'"#, "test.toml:8:12: app: unterminated double quote"),
        ("called_numbers = 5", #"test.toml:8:18: called_numbers must be an array of strings such as ["5550100", "+44*"]"#),
        (#"remote_numbers = ["+44*", ""]"#, "test.toml:8:18: remote_numbers must list non-empty number patterns as strings"),
        (#"id = "my id""#, "test.toml:8:6: id may hold only letters, digits, '-' and '_'"),
    ])
    func popupTypes(_ line: String, _ expected: String) {
        // Lines 5-7 are name, direction, trigger; line 8 is the line under test; url follows unless it is the target.
        let target = line.hasPrefix("url") || line.hasPrefix("app") ? [] : [#"url = "https://crm.example.com/""#]
        let text = popup(#"name = "CRM""#, #"direction = "incoming""#, #"trigger = "on-click""#, line) + target.joined() + "\n"
        #expect(diagnostics(text) == [expected])
    }

    @Test func directionAndTriggerSpelling() {
        #expect(diagnostics(popup(#"name = "CRM""#, #"direction = "inbound""#, #"trigger = "ringing""#, #"url = "https://x.example/""#)) == [
            "test.toml:6:13: direction must be incoming, outgoing or any, not 'inbound'",
        ])
        #expect(diagnostics(popup(#"name = "CRM""#, #"direction = "incoming""#, #"trigger = "ring""#, #"url = "https://x.example/""#)) == [
            "test.toml:7:11: trigger must be on-click, ringing, call-generation or answer, not 'ring'; did you mean 'ringing'?",
        ])
        #expect(diagnostics(popup(#"name = "CRM""#, #"url = "https://x.example/""#)) == [
            "test.toml:4:1: popup 'CRM' needs a trigger: on-click, ringing, call-generation or answer",
        ])
        #expect(diagnostics(popup(#"trigger = "on-click""#, #"url = "https://x.example/""#)) == [
            "test.toml:4:1: every popup needs a name (shown on the notification button)",
        ])
    }

    @Test func duplicateRuleIDs() {
        let text = popup(#"name = "CRM""#, #"trigger = "on-click""#, #"url = "https://a.example/""#)
            + "\n[[popup]]\nname = \"crm!\"\ntrigger = \"on-click\"\nurl = \"https://b.example/\"\n"
        #expect(diagnostics(text) == [
            "test.toml:9:1: rule id 'crm' is also used by popup 1; give one a different name or an explicit id",
        ])
        let explicit = popup(#"name = "A""#, #"id = "same""#, #"trigger = "on-click""#, #"url = "https://a.example/""#)
            + "\n[[popup]]\nname = \"B\"\nid = \"same\"\ntrigger = \"on-click\"\nurl = \"https://b.example/\"\n"
        #expect(diagnostics(explicit) == [
            "test.toml:10:1: rule id 'same' is also used by popup 1; give one a different name or an explicit id",
        ])
    }

    @Test func theUsersNumberIsRequired() {
        #expect(diagnostics("[launch]\nmax_per_minute = 3\n") == [
            "test.toml: [user] number is required: the user's own extension, e.g. number = \"201\"",
        ])
        #expect(diagnostics("[user]\nname = \"John\"\n") == [
            "test.toml:1:1: [user] number is required: the user's own extension, e.g. number = \"201\"",
        ])
    }

    @Test func dangerousSchemesInTheAllowListAreWarnedAbout() throws {
        let c = try load(userHead + "[launch]\nurl_schemes = [\"https\", \"JavaScript\", \"file\"]\n")
        #expect(c.warnings.map(\.description) == [
            "test.toml:5:15: warning: scheme 'JavaScript' can run code or read local files when a caller controls the URL; remove it",
            "test.toml:5:15: warning: scheme 'file' can run code or read local files when a caller controls the URL; remove it",
        ])
    }

    @Test func positionsSurviveMultiLineValuesCommentsAndQuotedKeys() {
        let text = #"""
            # callpop configuration
            [user]   # me
            number = "201"
            "name" = """
            John
            Doe = not a key
            """

            [colleagues]
            numbers = [
              "202",   # Bob [desk]
              "203",
            ]
            same_length_as_user = true
            "nmbers" = 1
            """#
        #expect(diagnostics(text) == [
            "test.toml:15:12: unknown key 'nmbers' in [colleagues]; did you mean 'numbers'?",
        ])
    }

    @Test func windowsLineEndingsAndAByteOrderMarkKeepPositions() {
        let unknown = "test.toml:3:8: unknown key 'nmae' in [user]; did you mean 'name'?"
        #expect(diagnostics("[user]\r\nnumber = \"201\"\r\nnmae = \"x\"\r\n") == [unknown])
        #expect(diagnostics("\u{FEFF}[user]\nnumber = \"201\"\nnmae = \"x\"\n") == [unknown])
        let popupText = (userHead + "[[popup]]\nname = \"x\"\ntrigger = \"ringing\"\ndirection = \"outgoing\"\nurl = \"https://x.example/\"\n")
            .replacingOccurrences(of: "\n", with: "\r\n")
        #expect(diagnostics(popupText) == [
            "test.toml:6:11: trigger 'ringing' cannot be used with direction 'outgoing': ringing is for incoming calls; for outgoing calls use call-generation",
        ])
    }

    @Test func dottedKeysAreLocated() {
        #expect(diagnostics("user.number = \"201\"\nuser.nmae = \"x\"\n") == [
            "test.toml:2:13: unknown key 'nmae' in [user]; did you mean 'name'?",
        ])
    }

    @Test func everyProblemIsReportedAtOnce() {
        let text = userHead + "[launch]\nportal = \"sometimes\"\n\n" + "[[popup]]\nname = \"CRM\"\ntrigger = \"ring\"\nurl = \"https://x/\"\n"
        #expect(diagnostics(text) == [
            "test.toml:5:10: portal must be auto, always or never, not 'sometimes'",
            "test.toml:9:11: trigger must be on-click, ringing, call-generation or answer, not 'ring'; did you mean 'ringing'?",
        ])
    }

    @Test func warningsAccompanyErrors() {
        let text = "[user]\nnumber = \"201\"\nfoo = 1\n\n[[popup]]\nname = \"X\"\ntrigger = \"on-click\"\napp = \"no-such-program-callpop\"\n"
        #expect(diagnostics(text) == [
            "test.toml:3:7: unknown key 'foo' in [user]; known keys: country_code, international_prefix, name, national_prefix, number",
            "test.toml:8:7: warning: program 'no-such-program-callpop' of popup 'X' is not on PATH",
        ])
    }
}

@Suite("Configuration loader survives garbage")
struct ConfigFuzzTests {
    /// Every TOML metacharacter inserted at, or written over, every 11th byte of a full valid file:
    /// the loader either loads or reports a problem; it never crashes. A crash here (signal 6) is
    /// the TOML library's assertion on an input the loader let through: see `KeyLocator.unparsable`.
    @Test func damagedFilesLoadOrSayWhereTheyAreWrong() {
        let original = Array(ConfigValidTests.full.utf8)
        let noise: [UInt8] = Array("[]{}\"',=#\n".utf8) + [0x00, 0xFF]
        for offset in stride(from: 0, to: original.count, by: 11) {
            for byte in noise {
                var inserted = original
                inserted.insert(byte, at: offset)
                var replaced = original
                replaced[offset] = byte
                for bytes in [inserted, replaced] {
                    let found = diagnostics(String(decoding: bytes, as: UTF8.self), environment: ConfigValidTests.environment)
                    #expect(found.allSatisfy { $0.hasPrefix("test.toml") })
                }
            }
        }
    }
}

@Suite("Configuration loader: inputs found by fuzzing")
struct ConfigFuzzFindingTests {
    /// Found by fuzzing: a combining mark (U+065E) after `[` made one Character of both, so the
    /// line was not seen as a table header and the TOML library asserted (aborting `callpop
    /// check`) on a table name that starts with a mark. Each is an error with its position.
    @Test func aCombiningMarkAfterABracketOrQuoteIsAnErrorNotACrash() {
        #expect(diagnostics("[\u{065E}x]\n") == [
            "test.toml:1:2: TOML syntax: Error while parsing table header: a table name starts with a letter, digit, '_', '-' or a quote",
        ])
        #expect(diagnostics("[user]\nnumber = \"201\"\n[[\u{0301}popup]]\n").first?.hasPrefix("test.toml:3:3: ") == true)
        // A mark after a closing quote or an `=` still leaves the line readable by position.
        for text in ["[user]\nnumber = \"201\"\u{0301}\n", "[user]\nnumber =\u{0301} \"201\"\n"] {
            #expect(diagnostics(text).allSatisfy { $0.hasPrefix("test.toml:") })
        }
    }
}

@Suite("Configuration loader: memory")
struct ConfigMemoryTests {
    /// Found by fuzzing: the TOML library's Swift wrapper never freed a parsed document, so every
    /// load (start, reload, a provisioned fragment) leaked it (2 GB after 1.8 million loads).
    /// 2,000 loads of a full configuration, good and broken, now leave the heap within 1 MB
    /// (what stays is the library's empty root table, about 100 bytes a load).
    @Test func loadingAgainAndAgainKeepsTheHeapFlat() throws {
        let loader = ConfigurationLoader(environment: ConfigValidTests.environment)
        let broken = ConfigValidTests.full + "\n[user\n"
        func load() {
            _ = try? loader.load(text: ConfigValidTests.full, name: "test.toml")
            _ = try? loader.load(text: broken, name: "test.toml")
        }
        for _ in 0..<50 { load() }  // caches and first-use allocations
        let before = HeapUsage.bytesInUse
        for _ in 0..<1000 { load() }
        let grown = HeapUsage.bytesInUse - before
        #expect(grown < 1 << 20, "the heap grew by \(grown) bytes over 2,000 loads")
    }
}
