import CallPopConfig
import Testing

/// The mistakes of issue #12, each answered with the real problem and where it is, with
/// "did you mean" where a known name is close.
@Suite("Configuration hints")
struct ConfigHintTests {
    func popup(_ lines: String...) -> String {
        userHead + "[[popup]]\n" + lines.joined(separator: "\n") + "\n"
    }

    @Test("misspelt keys, tables and values name the one that was meant", arguments: [
        ("[user]\nnumbr = \"201\"\n", "test.toml:2:9: unknown key 'numbr' in [user]; did you mean 'number'?"),
        (userHead + "[[popups]]\nname = \"x\"\n", "test.toml:4:1: unknown table or key 'popups'; did you mean [[popup]]?"),
        (userHead + "[notification]\nenabled = true\n", "test.toml:4:1: unknown table or key 'notification'; did you mean [notifications]?"),
        (userHead + "[pbx]\nsource = \"amy\"\n", "test.toml:5:10: unknown source 'amy'; did you mean 'ami'?"),
        (userHead + "[notifications]\nphases = [\"misssed\"]\n", "test.toml:5:10: unknown phase 'misssed'; did you mean 'missed'?"),
        (userHead + "[launch]\nportal = \"allways\"\n", "test.toml:5:10: portal must be auto, always or never, not 'allways'; did you mean 'always'?"),
    ])
    func misspeltNames(_ text: String, _ expected: String) {
        #expect(diagnostics(text) == [expected])
    }

    @Test func misspeltTriggersAndDirections() {
        #expect(diagnostics(popup(#"name = "CRM""#, #"trigger = "onclick""#, #"url = "https://crm.example.com/""#)) == [
            "test.toml:6:11: trigger must be on-click, ringing, call-generation or answer, not 'onclick'; did you mean 'on-click'?",
        ])
        #expect(diagnostics(popup(#"name = "CRM""#, #"trigger = "ring""#, #"url = "https://crm.example.com/""#)) == [
            "test.toml:6:11: trigger must be on-click, ringing, call-generation or answer, not 'ring'; did you mean 'ringing'?",
        ])
        #expect(diagnostics(popup(#"name = "CRM""#, #"direction = "incomming""#, #"trigger = "on-click""#, #"url = "https://crm.example.com/""#)) == [
            "test.toml:6:13: direction must be incoming, outgoing or any, not 'incomming'; did you mean 'incoming'?",
        ])
    }

    @Test func misspeltVariablesAndNumberForms() {
        #expect(diagnostics(popup(#"name = "CRM""#, #"trigger = "on-click""#, #"url = "https://crm.example.com/?n={CALLERNUMBER}""#)) == [
            "test.toml:7:35: unknown variable {CALLERNUMBER}; did you mean {CALLERNUM}?",
        ])
        #expect(diagnostics(popup(#"name = "CRM""#, #"trigger = "on-click""#, #"url = "https://crm.example.com/?n={CALLERNUM:e.164}""#)) == [
            "test.toml:7:35: bad modifier 'e.164' in {CALLERNUM:e.164}: did you mean {CALLERNUM:e164}? Use a count of characters to drop, or e164, national, digits",
        ])
        #expect(diagnostics(popup(#"name = "CRM""#, #"trigger = "on-click""#, #"url = "https://crm.example.com/?n={CALLERNUM:nat}""#)) == [
            "test.toml:7:35: bad modifier 'nat' in {CALLERNUM:nat}: did you mean {CALLERNUM:national}? Use a count of characters to drop, or e164, national, digits",
        ])
        // Nothing close: the known names are listed instead of a wild guess.
        #expect(diagnostics(popup(#"name = "CRM""#, #"trigger = "on-click""#, #"url = "https://crm.example.com/?n={ZZZ}""#)) == [
            "test.toml:7:35: unknown variable {ZZZ}; known: {CALLERNUM} {CALLERNAME} {USERNUM} {USERNAME} {CALLTYPE} {TAGS} {CHANNEL} {CALLEDNUM} {CALLID} {CONTACTNAME} {CONTACTORG} {CONTACTURL} {CONTACTID} {DIRECTORY}; in callbacks also {EVENT} {DURATION} {DISPOSITION}",
        ])
    }

    /// Was: "character 'U+7B' is not allowed in a URL", at the start of the value.
    @Test func anUnclosedPlaceholderIsNamedWhereItOpens() {
        #expect(diagnostics(popup(#"name = "CRM""#, #"trigger = "on-click""#, #"url = "https://crm.example.com/c?n={CALLERNUM""#)) == [
            "test.toml:7:36: {CALLERNUM is not closed: write {CALLERNUM}",
        ])
        #expect(diagnostics(popup(#"name = "CRM""#, #"trigger = "on-click""#, #"url = "https://crm.example.com/c?n={CALLERNUM&x=1""#)) == [
            "test.toml:7:36: {CALLERNUM is not closed: write {CALLERNUM}",
        ])
        #expect(diagnostics(popup(#"name = "CRM""#, #"trigger = "on-click""#, #"app = "crm-tool --n={CALLERNAM""#)) == [
            "test.toml:7:7: {CALLERNAM is not closed: write {CALLERNAME}",
        ])
        // A brace before text that is no variable stays text (JSON in an argument).
        #expect(diagnostics(popup(#"name = "CRM""#, #"trigger = "on-click""#, #"app = ["/bin/echo", "{\"a\": 1}"]"#)).isEmpty)
    }

    /// Was: "TOML syntax: Error while parsing string: unescaped control characters…" at the line's end.
    @Test func anUnclosedStringIsShownWhereItStarts() {
        let message = "unclosed string: the \" here has no closing \" on this line (a string ends on the line it starts; use \"\"\" … \"\"\" for text over several lines)"
        #expect(diagnostics("[user]\nnumber = \"201\nname = \"x\"\n") == ["test.toml:2:10: \(message)"])
        #expect(diagnostics("[user]\nnumber = \"201\"\nname = \"x") == ["test.toml:3:8: \(message)"])
        #expect(diagnostics("[user]\nnumber = \"2\\\"01\n") == ["test.toml:2:10: \(message)"])
        #expect(diagnostics("[user]\nnumber = '201\n") == [
            "test.toml:2:10: unclosed string: the ' here has no closing ' on this line (a string ends on the line it starts; use ''' … ''' for text over several lines)",
        ])
        // A quote inside a comment does not count.
        #expect(diagnostics("[user]\nnumber = \"201\" # it's mine\nname = \"x\n") == ["test.toml:3:8: \(message)"])
    }

    /// Was: "url must start with a fixed scheme such as https://, not a variable" (there is none).
    @Test func aURLWithoutItsSchemeSaysSo() {
        #expect(diagnostics(popup(#"name = "CRM""#, #"trigger = "on-click""#, #"url = "crm.example.com/c""#)) == [
            #"test.toml:7:7: url must start with its scheme: write "https://crm.example.com/c" (or http://)"#,
        ])
        #expect(diagnostics(popup(#"name = "CRM""#, #"trigger = "on-click""#, #"url = "{CALLERNAME}""#)) == [
            "test.toml:7:7: url must start with a fixed scheme such as https://, not a variable",
        ])
    }

    /// Was two errors, one of them "number is required".
    @Test func aNumberWrittenAsAnIntegerIsOneError() {
        #expect(diagnostics("[user]\nnumber = 201\n") == [
            #"test.toml:2:10: number must be a string: write number = "201" (a number may start with 0 or +)"#,
        ])
        #expect(diagnostics("[user]\nnumber = \"\"\n") == [
            #"test.toml:1:1: [user] number is required: the user's own extension, e.g. number = "201""#,
        ])
    }
}

@Suite("Configuration: calls without a number")
struct ConfigAnonymousTests {
    @Test func anonymousIsABooleanOfAPopup() throws {
        let text = userHead + "[[popup]]\nname = \"Log\"\ntrigger = \"ringing\"\nanonymous = true\nurl = \"https://crm.example.com/log\"\n"
        #expect(try load(text).ruleSet.rules.first?.anonymous == true)
        #expect(try load(text.replacingOccurrences(of: "anonymous = true\n", with: "")).ruleSet.rules.first?.anonymous == false)
        #expect(diagnostics(text.replacingOccurrences(of: "anonymous = true", with: "anonymous = \"yes\"")) == [
            "test.toml:7:13: anonymous must be true or false",
        ])
    }
}
