import CallPopAMI
import CallPopCore
import CallPopTestSupport
import Testing

/// What callpop decides on each recorded (and hand-written) Asterisk call: the AMI events
/// through the mapper, then the core decision engine, as `callpop run --dry-run` prints it.
@Suite struct AMIDecisionTests {
    static func engine() throws -> DecisionEngine {
        let user = UserIdentity(number: "201", name: "Alice Agent", numberPlan: NumberPlan(countryCode: "44"))
        let rules = [
            PopupRule(
                name: "CRM", direction: .incoming, trigger: .ringing,
                target: .url(try Template(parsing: "https://crm.example.com/contacts?phone={CALLERNUM}&name={CALLERNAME}&line={CALLEDNUM}"))),
            PopupRule(
                name: "Call log", direction: .outgoing, trigger: .callGeneration,
                target: .app(try ["/usr/local/bin/log-call", "{CALLERNUM:national}", "{CHANNEL}"].map { try Template(parsing: $0) })),
            PopupRule(
                name: "Answered", direction: .any, trigger: .answer,
                target: .url(try Template(parsing: "https://crm.example.com/answered?call={CALLID}&who={CALLERNUM}"))),
        ]
        return DecisionEngine(ruleSet: RuleSet(user: user, rules: rules))
    }

    static func decisions(_ events: [CallEvent]) throws -> [String] {
        var engine = try engine()
        let start = ContinuousClock.now
        return events.enumerated().flatMap { index, event in
            engine.handle(event, at: start + .seconds(index)).decisions.map(\.line)
        }
    }

    /// The decision log of each call, line by line: which rules fire (with the exact URL or
    /// argv), which are skipped and why. The ring group call rings but never answers for 201;
    /// the internal call fires nothing automatic.
    @Test(arguments: [
        ("inbound-answered", [
            "launch ringing \"CRM\" for incoming call 1795593625.0 \"John Doe\" <+441234567890> → xdg-open 'https://crm.example.com/contacts?phone=%2B441234567890&name=John%20Doe&line=5550100'",
            "launch answer \"Answered\" for incoming call 1795593625.0 \"John Doe\" <+441234567890> → xdg-open 'https://crm.example.com/answered?call=1795593625.0&who=%2B441234567890'",
        ]),
        ("inbound-missed", [
            "launch ringing \"CRM\" for incoming call 1795593665.0 +15551234567 → xdg-open 'https://crm.example.com/contacts?phone=%2B15551234567&name=&line=5550100'",
        ]),
        ("outbound-answered", [
            "launch call-generation \"Call log\" for outgoing call 1795593639.0 00493012345678 → /usr/local/bin/log-call 00493012345678 PJSIP/201-00000000",
            "launch answer \"Answered\" for outgoing call 1795593639.0 00493012345678 → xdg-open 'https://crm.example.com/answered?call=1795593639.0&who=00493012345678'",
        ]),
        ("internal-colleague", [
            "skip ringing \"CRM\" for incoming call 1795593652.0 \"Bob Builder\" <202>: colleague",
            "skip answer \"Answered\" for incoming call 1795593652.0 \"Bob Builder\" <202>: colleague",
        ]),
        ("ringgroup-answered-elsewhere", [
            "launch ringing \"CRM\" for incoming call 1795594000.0 \"John Doe\" <+441234567890> → xdg-open 'https://crm.example.com/contacts?phone=%2B441234567890&name=John%20Doe&line=5550199'",
        ]),
    ])
    func decisionLog(stream: String, expected: [String]) throws {
        let bytes = stream.hasPrefix("ringgroup") ? try AMIStreams.handwritten(stream) : try AMIStreams.recorded(stream)
        #expect(try Self.decisions(AMIStreams.callEvents(AMIStreams.messages(bytes))) == expected)
    }
}
