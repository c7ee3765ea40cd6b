import CallPopCore
import CallPopTestSupport
import Foundation
import Testing

@Suite("Decision log format")
struct DecisionFormatTests {
    let ticketURL = "https://desk.example.com/tickets/new?To=John%20Doe&Subject=New%20Ticket%20from%20John%20Doe&From=%2B442071234567"

    @Test func launchAsJSONAndLine() throws {
        var e = engine([try rule(
            "New ticket", .incoming, .ringing,
            url: "https://desk.example.com/tickets/new?To={CALLERNAME}&Subject=New%20Ticket%20from%20{USERNAME}&From={CALLERNUM}")])
        let d = try firstDecision(&e, event("1700000000.12", .ringing), at: at(0))
        #expect(d.json == #"{"call":"1700000000.12","rule":"New ticket","rule_id":"new-ticket","trigger":"ringing","direction":"incoming","decision":"launch","action":"url","url":""# + ticketURL + #"","argv":["xdg-open",""# + ticketURL + #""],"number":"+442071234567","name":"John Doe"}"#)
        #expect(d.line == #"launch ringing "New ticket" for incoming call 1700000000.12 "John Doe" <+442071234567> → xdg-open '"# + ticketURL + "'")
    }

    @Test func theDocumentedDecisionExample() throws {
        // docs/events.md shows this object for the Solve360 example.
        var e = engine([try rule("Solve360", .incoming, .answer, url: "https://secure.solve360.com/contact/phonenumber/0{CALLERNUM:3}")])
        let outcome = e.handle(event("c1", .answered), at: at(0))
        #expect(outcome.decisions.map(\.json) == [
            #"{"call":"c1","rule":"Solve360","rule_id":"solve360","trigger":"answer","direction":"incoming","decision":"launch","action":"url","url":"https://secure.solve360.com/contact/phonenumber/02071234567","argv":["xdg-open","https://secure.solve360.com/contact/phonenumber/02071234567"],"number":"+442071234567","name":"John Doe"}"#,
        ])
    }

    @Test func skipAsJSONAndLine() throws {
        var e = engine([try rule("CRM", .incoming, .ringing)])
        let d = try firstDecision(&e, event("c2", .ringing, number: "202", name: ""), at: at(0))
        #expect(d.json == #"{"call":"c2","rule":"CRM","rule_id":"crm","trigger":"ringing","direction":"incoming","decision":"skip","reason":"colleague","action":"url","number":"202","name":""}"#)
        #expect(d.line == "skip ringing \"CRM\" for incoming call c2 202: colleague")
    }

    @Test func refusedURLShowsItsDetail() throws {
        var e = engine([try rule("Bad", .incoming, .ringing, url: "https://{CALLERNAME}/")])
        let d = try firstDecision(&e, event("c3", .ringing, name: ""), at: at(0))
        #expect(d.line == "skip ringing \"Bad\" for incoming call c3 +442071234567: refused-url (no host after the scheme)")
        #expect(d.json.contains(#""decision":"skip","reason":"refused-url","detail":"no host after the scheme","action":"url","number""#))
    }

    @Test func appArgvIsQuotedForReading() throws {
        let r = PopupRule(name: "Log", direction: .outgoing, trigger: .callGeneration,
                          target: try appTarget(argv: ["logger", "calling {CALLERNUM}", "it's", "", #"C:\x"#, "plain"]))
        var e = engine([r])
        let d = try firstDecision(&e, event("c4", .ringing, .outgoing, number: "02079460000", name: ""), at: at(0))
        #expect(d.line == #"launch call-generation "Log" for outgoing call c4 02079460000 → logger 'calling 02079460000' 'it'\''s' '' 'C:\x' plain"#)
        #expect(d.json == #"{"call":"c4","rule":"Log","rule_id":"log","trigger":"call-generation","direction":"outgoing","decision":"launch","action":"app","argv":["logger","calling 02079460000","it's","","C:\\x","plain"],"number":"02079460000","name":""}"#)
    }

    @Test func plainWordsStayBare() throws {
        let plan = LaunchPlan(action: .app, url: nil, argv: ["/usr/bin/crm", "--number=+44,20", "user@host:8080", "100%"], environment: [:])
        let d = Decision(
            callID: "c7", ruleID: "crm", ruleName: "CRM", trigger: .ringing, direction: .incoming, verdict: .launch,
            action: .app, plan: plan, remoteNumber: "+442071234567")
        #expect(d.line == "launch ringing \"CRM\" for incoming call c7 +442071234567 → /usr/bin/crm --number=+44,20 user@host:8080 100%")
    }

    /// People copy the printed argv into a terminal to try a rule by hand; caller ID is in it.
    @Test func printedArgvReadsBackExactlyThroughAShell() throws {
        let hostile = [
            "$(echo PWNED)", "`echo PWNED`", "a;echo PWNED", "a&&echo PWNED", "a|cat", "*", "~", "~root", "#x", "!x",
            "<x", ">x", "it's", "\"q\"", "a b", "", "{a,b}", "x=1 y", "-n", "\\", "Zo\u{EB}", "$HOME", "a\tb", "?", "[a]",
            "https://h.example/?a=1&b=2#f",
        ]
        let argv = ["printf", "%s\\n"] + hostile
        let d = Decision(
            callID: "c8", ruleID: "t", ruleName: "T", trigger: .ringing, direction: .incoming, verdict: .launch,
            action: .app, plan: LaunchPlan(action: .app, url: nil, argv: argv, environment: [:]))
        let command = try #require(d.line.components(separatedBy: " → ").last)
        // In an empty scratch directory, so that a broken quoting cannot touch the checkout.
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("callpop-quoting-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let shell = Process()
        shell.currentDirectoryURL = scratch
        shell.executableURL = URL(fileURLWithPath: "/bin/sh")
        shell.arguments = ["-c", command]
        let output = Pipe()
        shell.standardOutput = output
        try shell.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        shell.waitUntilExit()
        #expect(shell.terminationStatus == 0)
        #expect(String(decoding: data, as: UTF8.self) == hostile.map { $0 + "\n" }.joined())
    }

    @Test func unknownNumberReadsAsSuch() throws {
        var e = engine([try rule("CRM", .incoming, .ringing, enabled: false)])
        let d = try firstDecision(&e, event("c5", .ringing, number: "", name: "Anonymous"), at: at(0))
        #expect(d.line == "skip ringing \"CRM\" for incoming call c5 \"Anonymous\" <unknown number>: disabled")
    }

    @Test func hostileValuesCannotBreakALogLine() throws {
        var e = engine([try rule("CRM", .incoming, .ringing, enabled: false)])
        let d = try firstDecision(&e, event("c\n6", .ringing, number: "1\"2", name: "a\u{0}\nb\"},{\"x\":\"\u{2028}"), at: at(0))
        #expect(!d.line.contains("\n"))
        #expect(d.json == #"{"call":"c6","rule":"CRM","rule_id":"crm","trigger":"ringing","direction":"incoming","decision":"skip","reason":"disabled","action":"url","number":"1\"2","name":"ab\"},{\"x\":\""}"#)
    }

    /// Issue #10, finding 10: the readable line quotes and escapes every value a caller
    /// chooses, so a name, a number or a call id cannot forge a second target.
    @Test("a caller cannot forge a second target in the readable line", arguments: [
        (#"Eve" <1> → xdg-open 'https://evil.example/'"#, "+442071234567", "c9"),
        ("Eve", #"1> → xdg-open https://evil.example/ <2"#, "c9"),
        ("Eve", "+442071234567", #"c9 "x" <1> → evil"#),
        (#"a\" → b"#, #"2\"#, "c9"),
    ])
    func forgedTargetsStayInsideTheirQuotes(name: String, number: String, call: String) throws {
        var e = engine([try rule("CRM", .incoming, .ringing)])
        let d = try firstDecision(&e, event(call, .ringing, number: number, name: name), at: at(0))
        let line = d.line
        #expect(line.components(separatedBy: "→").count == 2, "\(line)")
        let target = try #require(line.components(separatedBy: " → ").last)
        #expect(target == "xdg-open " + "'" + (d.plan?.url ?? "") + "'")
        // What stands before the arrow reads back to the values, through the documented escapes.
        let head = try #require(line.components(separatedBy: " → ").first)
        #expect(head.hasPrefix("launch ringing \"CRM\" for incoming call "))
        #expect(head.contains(Decision.quoted(name)))
        #expect(head.hasSuffix(" <" + Decision.token(number) + ">"))
    }

    @Test("plain values stay bare; others are quoted with \\ \" and → escaped", arguments: [
        ("1700000000.12", "1700000000.12"), ("+442071234567", "+442071234567"), ("PJSIP/201-0000001a", "PJSIP/201-0000001a"),
        ("", #""""#), ("a b", #""a b""#), (#"q"uote"#, #""q\"uote""#), (#"back\slash"#, #""back\\slash""#),
        ("x→y", #""x\u2192y""#), ("<1>", #""<1>""#), ("Zo\u{EB}", "\"Zo\u{EB}\""), ("a\u{2028}b", #""a\u2028b""#),
    ])
    func tokens(_ raw: String, _ shown: String) {
        #expect(Decision.token(raw) == shown)
    }

    @Test func jsonWriterEscapes() {
        var w = JSONObjectWriter()
        w.add("s", "q\"b\\s\n\r\t\u{1}\u{1F}\u{7F}\u{2028}\u{2029}\u{E9}\u{1F4A5}")
        w.add("t", true)
        w.add("f", false)
        w.add("i", -42)
        w.add("a", ["x", "y\""])
        w.add("e", [String]())
        w.add("n", ifPresent: nil)
        w.add("r", rawJSON: "{\"k\":1}")
        #expect(w.json == #"{"s":"q\"b\\s\n\r\t\u0001\u001f\u007f\u2028\u2029é💥","t":true,"f":false,"i":-42,"a":["x","y\""],"e":[],"r":{"k":1}}"#)
        #expect(JSONObjectWriter().json == "{}")
        // Escapes inside one Character (CR LF; a quote or a control with a combining mark) keep every other byte.
        var cluster = JSONObjectWriter()
        cluster.add("c", "a\r\nb\"\u{301}c\u{1}\u{301}\u{2028}\u{301}€\u{E2}")
        #expect(cluster.json == "{\"c\":\"a\\r\\nb\\\"\u{301}c\\u0001\u{301}\\u2028\u{301}€\u{E2}\"}")
    }

    /// The bulk writer against the obvious scalar-by-scalar escaping, on seeded random text
    /// made of the characters that matter (quotes, backslashes, controls, CR LF, U+2028/9,
    /// combining marks, other E2-led characters, emoji).
    @Test func jsonWriterMatchesScalarByScalarEscaping() {
        let pieces: [String] = ["a", "Z", "0", " ", "\"", "\\", "\n", "\r", "\r\n", "\t", "\u{0}", "\u{1F}", "\u{7F}",
            "\u{80}", "\u{301}", "\u{2028}", "\u{2029}", "\u{2027}", "€", "é", "💥", "\u{E2}", "/", "{"]
        var rng = SplitMix64(seed: 0x15A)
        for round in 0..<2000 {
            let text = (0..<Int.random(in: 0...12, using: &rng)).map { _ in pieces.randomElement(using: &rng)! }.joined()
            var fast = ""
            JSONObjectWriter.appendString(text, to: &fast)
            var reference = "\""
            for scalar in text.unicodeScalars {
                switch scalar {
                case "\"": reference += "\\\""
                case "\\": reference += "\\\\"
                case "\n": reference += "\\n"
                case "\r": reference += "\\r"
                case "\t": reference += "\\t"
                case _ where scalar.value < 0x20 || scalar.value == 0x7F || scalar.value == 0x2028 || scalar.value == 0x2029:
                    let hex = String(scalar.value, radix: 16)
                    reference += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                default: reference.unicodeScalars.append(scalar)
                }
            }
            reference += "\""
            #expect(Array(fast.utf8) == Array(reference.utf8), "round \(round): \(text.debugDescription)")
            // The same through an object's members, as keys, values and array elements.
            var object = JSONObjectWriter()
            object.add(text, text)
            object.add("a", [text, "x", text])
            object.add("n", 7)
            #expect(object.json == "{\(reference):\(reference),\"a\":[\(reference),\"x\",\(reference)],\"n\":7}", "round \(round)")
        }
    }
}
