import CallPopCore
import CallPopTestSupport
import Testing

@Suite("Template parsing")
struct TemplateParsingTests {
    @Test("every variable name parses to its variable", arguments: TemplateVariable.allCases)
    func variableNames(_ variable: TemplateVariable) throws {
        let t = try template("{\(variable.rawValue)}")
        #expect(t.segments == [.variable(variable, .none)])
        #expect(t.variables == [variable])
        #expect(!t.isConstant)
    }

    @Test func theEighteenNamesAreTheDocumentedOnes() {
        #expect(TemplateVariable.allCases.map(\.rawValue) == [
            "CALLERNUM", "CALLERNAME", "USERNUM", "USERNAME", "CALLTYPE", "TAGS", "CHANNEL", "CALLEDNUM", "CALLID",
            "CONTACTNAME", "CONTACTORG", "CONTACTURL", "CONTACTID", "DIRECTORY", "EVENT", "DURATION", "DISPOSITION", "DIALNUM",
        ])
        #expect(TemplateVariable.allCases.filter(\.isContact) == [.contactName, .contactOrganisation, .contactURL, .contactID, .directory])
        #expect(TemplateVariable.allCases.filter(\.isCallbackOnly) == [.event, .duration, .disposition])
        #expect(TemplateVariable.allCases.filter(\.isDialOnly) == [.dialNumber])
        #expect(TemplateVariable.allCases.filter(\.isNumber) == [.callerNumber, .userNumber, .calledNumber, .dialNumber])
    }

    @Test func literalsAroundPlaceholdersAreKept() throws {
        let t = try template("https://x.example/0{CALLERNUM:3}?n={CALLERNAME}&t=1")
        #expect(t.segments == [
            .literal("https://x.example/0"), .variable(.callerNumber, .dropFirst(3)),
            .literal("?n="), .variable(.callerName, .none), .literal("&t=1"),
        ])
        #expect(t.leadingLiteral == "https://x.example/0")
        #expect(t.source == "https://x.example/0{CALLERNUM:3}?n={CALLERNAME}&t=1")
        #expect(t.variables == [.callerNumber, .callerName])
    }

    @Test func dropCountsParseForAnyVariable() throws {
        #expect(try template("{CALLERNUM:1}").segments == [.variable(.callerNumber, .dropFirst(1))])
        #expect(try template("{CALLERNUM:0}").segments == [.variable(.callerNumber, .dropFirst(0))])
        #expect(try template("{CALLERNAME:12}").segments == [.variable(.callerName, .dropFirst(12))])
    }

    @Test("number forms parse on number variables", arguments: [
        ("e164", TemplateTransform.e164), ("national", .national), ("digits", .digits),
    ])
    func numberForms(_ spelling: String, _ form: TemplateTransform) throws {
        for variable in [TemplateVariable.callerNumber, .calledNumber, .userNumber] {
            #expect(try template("{\(variable.rawValue):\(spelling)}").segments == [.variable(variable, form)])
        }
        #expect(form.spelling == spelling)
    }

    @Test("number forms on non-number variables are refused", arguments: [
        "CALLERNAME", "USERNAME", "CALLTYPE", "TAGS", "CHANNEL", "CALLID",
    ])
    func numberFormsOnText(_ name: String) {
        #expect(templateFailure("ab/{\(name):e164}")
            == "3: {\(name):e164}: the number forms apply only to CALLERNUM, CALLEDNUM and USERNUM")
    }

    @Test func unknownVariableNamesItAndItsOffset() {
        let known = "{CALLERNUM} {CALLERNAME} {USERNUM} {USERNAME} {CALLTYPE} {TAGS} {CHANNEL} {CALLEDNUM} {CALLID} {CONTACTNAME} {CONTACTORG} {CONTACTURL} {CONTACTID} {DIRECTORY}; in callbacks also {EVENT} {DURATION} {DISPOSITION}"
        #expect(templateFailure("https://crm.example.com/?n={CALLERNUMBER}")
            == "27: unknown variable {CALLERNUMBER}; did you mean {CALLERNUM}?")
        // Names are case-sensitive, as in the vendor product; the right spelling is suggested.
        #expect(templateFailure("{callernum}") == "0: unknown variable {callernum}; did you mean {CALLERNUM}?")
        // Offsets count characters, not bytes.
        #expect(templateFailure("Zo\u{EB}{FOO}") == "3: unknown variable {FOO}; known: \(known)")
    }

    @Test("bad modifiers are refused with the modifier named", arguments: ["abc", "", "-1", "1x"])
    func badModifier(_ modifier: String) {
        #expect(templateFailure("x {CALLERNUM:\(modifier)}")
            == "2: bad modifier '\(modifier)' in {CALLERNUM:\(modifier)}: use a count of characters to drop, or e164, national, digits")
    }

    @Test("a misspelt number form is named", arguments: [("E164", "e164"), ("e.164", "e164"), ("nat", "national"), ("digit", "digits")])
    func misspeltNumberForm(_ modifier: String, _ meant: String) {
        #expect(templateFailure("x {CALLERNUM:\(modifier)}")
            == "2: bad modifier '\(modifier)' in {CALLERNUM:\(modifier)}: did you mean {CALLERNUM:\(meant)}? Use a count of characters to drop, or e164, national, digits")
    }

    /// A brace before a variable's name that is not a well-formed placeholder was text
    /// before issue #12, and a URL check then complained about the brace.
    @Test("a placeholder that is not closed or not well formed is refused where it starts", arguments: [
        ("{CALLERNUM", "0: {CALLERNUM is not closed: write {CALLERNUM}"),
        ("https://x/?a={CALLERNAME&b=1", "13: {CALLERNAME is not closed: write {CALLERNAME}"),
        ("{CALLER NUM}", "0: {CALLER is not closed: write {CALLERNUM}"),
        ("ab{CALLERNUM.3}", "2: unknown variable {CALLERNUM.3}; did you mean {CALLERNUM}?"),
    ])
    func unclosedPlaceholder(_ text: String, _ failure: String) {
        #expect(templateFailure(text) == failure)
    }

    @Test("text that is not a placeholder stays literal", arguments: [
        "{}", "{ CALLERNUM }", "{1}", "{\"json\": true}", "a{b", "}{", "{{", "<<clid>",
        "<<CLID>>", "<clid>>", "%7BCALLERNUM%7D", "{abc def", "{x.y}",
    ])
    func literalBraces(_ text: String) throws {
        let t = try template(text)
        #expect(t.segments == [.literal(text)])
        #expect(t.isConstant)
    }

    @Test func emptyTemplateHasNoSegments() throws {
        let t = try template("")
        #expect(t.segments.isEmpty)
        #expect(t.leadingLiteral == "")
    }

    @Test func clidAliasIsCallerNumber() throws {
        #expect(try template("<<clid>>").segments == [.variable(.callerNumber, .none)])
        #expect(try template("q=<<clid>>&x").segments == [.literal("q="), .variable(.callerNumber, .none), .literal("&x")])
        #expect(try template("<<<clid>>>").segments == [.literal("<"), .variable(.callerNumber, .none), .literal(">")])
        #expect(try template("<<clid>><<clid>>").segments == [.variable(.callerNumber, .none), .variable(.callerNumber, .none)])
    }

    @Test func placeholderAfterBraceLiteral() throws {
        #expect(try template("{{CALLERNUM}}").segments == [.literal("{"), .variable(.callerNumber, .none), .literal("}")])
    }
}

@Suite("Template parsing survives garbage")
struct TemplateFuzzTests {
    @Test func randomTemplatesParseOrFailInsideTheText() {
        var rng = SplitMix64(seed: 7)
        let pieces = ["{", "}", ":", "CALLERNUM", "CALLERNAME", "e164", "3", "-", "<<clid>>", "<", ">", "x", "\u{E9}", " ", "%", "^&"]
        for _ in 0..<3000 {
            let text = (0..<Int(rng.next() % 12)).map { _ in pieces[Int(rng.next() % UInt64(pieces.count))] }.joined()
            do {
                let t = try Template(parsing: text)
                // Expanding with a caller's values never fails and literal text is kept.
                let raw = t.expand(variables(), encode: false)
                #expect(t.isConstant ? raw == text : true)
            } catch {
                #expect(error.offset >= 0 && error.offset < text.count)
                #expect(Array(text)[error.offset] == "{")
            }
        }
    }
}
