import CallPopCore
import CallPopTestSupport
import Testing

/// The journal's lines and how they fold into calls.
@Suite("Call history")
struct CallHistoryTests {
    static func tracked(_ id: String, _ state: CallState, _ direction: CallDirection = .incoming, answered: Bool = false,
                        elsewhere: Bool = false, number: String = "+442071234567", name: String = "John Doe") -> TrackedCall {
        var engine = DecisionEngine(ruleSet: RuleSet(user: UserIdentity(number: "201"), rules: []))
        var call = engine.handle(CallEvent(callID: id, state: .ringing, direction: direction, remoteNumber: number, remoteName: name), at: at(0)).call!
        call.event.state = state
        call.event.answeredElsewhere = elsewhere
        call.wasAnswered = answered
        return call
    }

    static func lines(_ texts: [String]) -> [ArraySlice<UInt8>] { texts.map { Array($0.utf8)[...] } }

    static func decision(_ call: String, _ rule: String, _ verdict: Decision.Verdict, trigger: Trigger = .ringing) -> Decision {
        Decision(callID: call, ruleID: rule, ruleName: rule.uppercased(), trigger: trigger, direction: .incoming, verdict: verdict, action: .url)
    }

    @Test func callsFoldWithTheirResultsAndPopups() throws {
        var texts: [String] = []
        // An answered call; its popup is decided before its first line, as the agent does.
        texts.append(CallHistory.line(for: Self.decision("a", "crm", .launch), ms: 1_000, time: "t")!)
        texts.append(CallHistory.line(for: Self.tracked("a", .ringing), ms: 1_000, time: "t"))
        texts.append(CallHistory.line(for: Self.decision("a", "ticket", .offer, trigger: .onClick), ms: 1_000, time: "t")!)
        texts.append(CallHistory.line(for: Self.tracked("a", .answered, answered: true), ms: 5_000, time: "t"))
        texts.append(CallHistory.line(for: Self.tracked("a", .ended, answered: true), ms: 65_000, time: "t"))
        // A missed call, then a click on it after it ended.
        texts.append(CallHistory.line(for: Self.tracked("b", .ringing, name: ""), ms: 70_000, time: "t"))
        texts.append(CallHistory.line(for: Self.tracked("b", .ended, name: ""), ms: 80_000, time: "t"))
        texts.append(CallHistory.line(for: Self.decision("b", "ticket", .launch, trigger: .onClick), ms: 90_000, time: "t")!)
        // Taken by a colleague; an outgoing call nobody answered; one still ringing; garbage.
        texts.append(CallHistory.line(for: Self.tracked("c", .ringing), ms: 100_000, time: "t"))
        texts.append(CallHistory.line(for: Self.tracked("c", .ended, elsewhere: true), ms: 101_000, time: "t"))
        texts.append(CallHistory.line(for: Self.tracked("d", .ringing, .outgoing), ms: 110_000, time: "t"))
        texts.append(CallHistory.line(for: Self.tracked("d", .ended, .outgoing), ms: 111_000, time: "t"))
        texts += ["not json", "{\"kind\":\"call\"}", "{\"ms\":1,\"kind\":\"call\",\"call\":\"x\",\"state\":\"boom\",\"direction\":\"incoming\"}"]
        texts.append(CallHistory.line(for: Self.tracked("e", .ringing), ms: 120_000, time: "t"))
        texts.append(String(CallHistory.line(for: Self.tracked("e", .answered, answered: true), ms: 121_000, time: "t").prefix(30)))

        let calls = CallHistory.calls(from: Self.lines(texts))
        #expect(calls.map(\.id) == ["a", "b", "c", "d", "e"])
        #expect(calls.map(\.result) == [.answered, .missed, .answeredElsewhere, .notAnswered, .ringing])
        #expect(calls[0].opened == ["crm"])
        #expect(calls[0].offered == ["ticket"])
        #expect(calls[0].answered == 5_000 && calls[0].ended == 65_000 && calls[0].started == 1_000)
        #expect(calls[1].opened == ["ticket"])
        #expect(calls[1].name == "" && calls[1].number == "+442071234567")
        #expect(CallHistory.find("last", in: calls)?.id == "e")
        #expect(CallHistory.find("last-missed", in: calls)?.id == "b")
        #expect(CallHistory.find("c", in: calls)?.result == .answeredElsewhere)
        #expect(CallHistory.find("zzz", in: calls) == nil)
        #expect(CallHistory.Query(missedOnly: true).select(calls).map(\.id) == ["b"])
        #expect(CallHistory.Query(since: 100_000).select(calls).map(\.id) == ["c", "d", "e"])
        #expect(CallHistory.Query(limit: 2).select(calls).map(\.id) == ["d", "e"])
        // The event a click on a call from the history expands with.
        #expect(calls[1].event == CallEvent(callID: "b", state: .ended, direction: .incoming, remoteNumber: "+442071234567",
                                              isColleague: false))
        #expect(calls[0].event.remoteName == "John Doe")
    }

    @Test func skipsAreLeftToTheLogAndCallerIDIsCleaned() {
        #expect(CallHistory.line(for: Self.decision("a", "crm", .skip), ms: 0, time: "t") == nil)
        let line = CallHistory.line(for: Self.tracked("a\n{\"x\"", .ringing, name: "Eve\u{202E}\u{7}\"}"), ms: 0, time: "t")
        #expect(!line.contains("\n") && !line.contains("\u{202E}"))
        let calls = CallHistory.calls(from: Self.lines([line]))
        #expect(calls.first?.id == "a{\"x\"")
        #expect(calls.first?.name == "Eve\"}")
    }

    @Test func aReusedCallIdAfterItsEndIsANewCall() {
        let texts = [
            CallHistory.line(for: Self.tracked("r", .ringing), ms: 1, time: "t"),
            CallHistory.line(for: Self.tracked("r", .ended), ms: 2, time: "t"),
            CallHistory.line(for: Self.tracked("r", .ringing, .outgoing), ms: 3, time: "t"),
        ]
        let calls = CallHistory.calls(from: Self.lines(texts))
        #expect(calls.map(\.result) == [.missed, .ringing])
        #expect(calls.map(\.direction) == [.incoming, .outgoing])
    }

    /// Garbage of every shape is skipped, never a crash.
    @Test func garbageLinesAreSkipped() {
        var random = SplitMix64(seed: 1212)
        let good = Array(CallHistory.line(for: Self.tracked("g", .ringing), ms: 5, time: "t").utf8)
        let alphabet = Array("{}[]\":,0123456789truefalsenullkindcallms \\u".utf8) + [0x00, 0x80, 0xFF]
        var lines: [ArraySlice<UInt8>] = []
        for round in 0..<2000 {
            let bytes = round % 3 == 0
                ? ByteMutator.random(count: Int(random.next() % 200), using: &random)
                : ByteMutator.mutate(good, alphabet: alphabet, using: &random)
            lines.append(bytes[...])
        }
        let calls = CallHistory.calls(from: lines)
        #expect(calls.count <= lines.count)
    }
}
