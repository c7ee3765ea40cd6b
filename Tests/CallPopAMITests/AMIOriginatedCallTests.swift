import CallPopAMI
import CallPopCore
import CallPopTestSupport
import Testing

/// A call placed by click-to-dial is an outgoing call like any other: the recorded
/// `Originate` of PJSIP/201 to 02079460000 (`click-to-dial/`) is reported once, as
/// outgoing, and never as 201 calling itself, although the first thing Asterisk does is
/// ring 201 with a call "from" 201 (scenario.md, "Telling that it is outgoing").
@Suite struct AMIOriginatedCallTests {
    static let placedCall = Expected.call(
        "1796133020.0", .outgoing, remote: "02079460000", name: "", called: "02079460000",
        channel: "PJSIP/201-00000000", states: [.ringing, .answered, .ended])

    static func messages(_ scenario: String) throws -> [AMIMessage] {
        AMIStreams.messages(try AMIStreams.recorded(scenario))
    }

    @Test func originatedCallIsOutgoingToTheDialledNumber() throws {
        #expect(AMIStreams.callEvents(try Self.messages("click-to-dial")) == Self.placedCall)
    }

    /// The phone refused (486): no call was placed, so none is reported.
    @Test func failedOriginateIsNoCall() throws {
        #expect(AMIStreams.callEvents(try Self.messages("click-to-dial-failed")) == [])
    }

    /// Where the `OriginateResponse` falls varies between takes (scenario.md): right after
    /// 201's `DialEnd` (this recording), before it, or after the trunk leg's `DialBegin`.
    /// Moved there, the same call is reported.
    @Test(arguments: ["before the phone's DialEnd", "after the trunk DialBegin", "not at all"])
    func originateResponseAnywhere(placement: String) throws {
        var messages = try Self.messages("click-to-dial")
        let response = try #require(messages.firstIndex { $0.event == "OriginateResponse" })
        let moved = messages.remove(at: response)
        switch placement {
        case "before the phone's DialEnd":
            let dialEnd = try #require(messages.firstIndex { $0.event == "DialEnd" })
            messages.insert(moved, at: dialEnd)
        case "after the trunk DialBegin":
            let dialBegin = try #require(messages.lastIndex { $0.event == "DialBegin" })
            messages.insert(moved, at: dialBegin + 1)
        default:
            break  // Another AMI client's Originate: this session never sees its response.
        }
        #expect(AMIStreams.callEvents(messages) == Self.placedCall)
    }

    /// The call-generation rule fires once, for the dialled number, then the answer rule;
    /// no incoming rule fires (the real decision engine, as `callpop run --dry-run` logs it).
    @Test func callGenerationRuleFiresOnce() throws {
        let decisions = try AMIDecisionTests.decisions(AMIStreams.callEvents(try Self.messages("click-to-dial")))
        #expect(decisions == [
            "launch call-generation \"Call log\" for outgoing call 1796133020.0 02079460000 → /usr/local/bin/log-call 02079460000 PJSIP/201-00000000",
            "launch answer \"Answered\" for outgoing call 1796133020.0 02079460000 → xdg-open 'https://crm.example.com/answered?call=1796133020.0&who=02079460000'",
        ])
        #expect(decisions.count { $0.contains("call-generation") } == 1)
        #expect(try AMIDecisionTests.decisions(AMIStreams.callEvents(try Self.messages("click-to-dial-failed"))) == [])
    }
}
