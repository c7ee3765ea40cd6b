import CallPopCore
import CallPopTestSupport
import Testing

/// Which callback events call changes produce: from hand-made sequences and from the
/// recorded Asterisk 22 calls replayed through the AMI mapper and the call tracker.
@Suite("Callback events")
struct CallbackEventTests {
    /// Feeds `events` (each at its second) through a tracker and a callback event tracker.
    static func occurrences(_ events: [(CallEvent, Double)], colleague: @escaping (CallEvent) -> Bool = { _ in false }) -> [CallbackOccurrence] {
        var tracker = CallTracker()
        var callbacks = CallbackEventTracker()
        var found: [CallbackOccurrence] = []
        for (event, second) in events {
            guard let update = tracker.apply(event, at: at(second), colleague: colleague) else { continue }
            found += callbacks.observe(update.call)
        }
        return found
    }

    static func summary(_ found: [CallbackOccurrence]) -> [String] {
        found.map { o in
            var text = "\(o.kind.rawValue)"
            if !o.change.isEmpty { text += " \(o.change)" }
            if o.kind == .ended { text += " \(o.duration)s \(o.disposition?.rawValue ?? "?")" }
            return text
        }
    }

    @Test("answered: one new, one updated for the answer, one ended with the talk time")
    func answered() {
        let found = Self.occurrences([
            (event("c1", .ringing), 0), (event("c1", .ringing), 1), (event("c1", .answered), 3),
            (event("c1", .answered), 4), (event("c1", .ended), 45.7),
        ])
        #expect(Self.summary(found) == ["new", "updated answered", "ended 42s answered"])
    }

    @Test("missed, answered elsewhere, busy and failed")
    func dispositions() {
        #expect(Self.summary(Self.occurrences([(event("m", .ringing), 0), (event("m", .ended), 20)])) == ["new", "ended 0s missed"])
        #expect(Self.summary(Self.occurrences([(event("e", .ringing), 0), (event("e", .ended, answeredElsewhere: true), 5)]))
            == ["new", "ended 0s answered-elsewhere"])
        var busy = event("b", .ended, .outgoing)
        busy.endCause = .busy
        #expect(Self.summary(Self.occurrences([(event("b", .ringing, .outgoing), 0), (busy, 2)])) == ["new", "ended 0s busy"])
        var failed = event("f", .ended, .outgoing)
        failed.endCause = .failed
        #expect(Self.summary(Self.occurrences([(event("f", .ringing, .outgoing), 0), (failed, 1)])) == ["new", "ended 0s failed"])
        // An answered call is answered, whatever its end says.
        var late = event("a", .ended)
        late.endCause = .busy
        #expect(Self.summary(Self.occurrences([(event("a", .ringing), 0), (event("a", .answered), 1), (late, 3)])) == ["new", "updated answered", "ended 2s answered"])
    }

    @Test("a transfer: one updated per distinct other party, never twice for the same one")
    func transfer() {
        let found = Self.occurrences([
            (event("t", .ringing), 0), (event("t", .answered), 1),
            (event("t", .answered, number: "+442079460000", name: "Bob Transfer"), 10),
            (event("t", .answered, number: "+442079460000", name: "Bob Transfer"), 11),
            (event("t", .answered, number: "+442071234567", name: "John Doe"), 20),
            (event("t", .ended), 30),
        ])
        #expect(Self.summary(found) == ["new", "updated answered", "updated party:+442079460000/Bob Transfer", "ended 29s answered"])
        #expect(found[2].event.remoteName == "Bob Transfer")
    }

    @Test("a call first seen answered is new once; repeats and late duplicates after the end are nothing")
    func repeatsAndLateDuplicates() {
        let found = Self.occurrences([
            (event("r", .answered), 0), (event("r", .answered), 1), (event("r", .ended), 5),
            (event("r", .ringing), 6), (event("r", .answered), 7), (event("r", .ended), 8),
            (event("unknown", .ended), 9),
        ])
        #expect(Self.summary(found) == ["new", "ended 5s answered"])
    }

    @Test("the recorded inbound answered call: exactly one new, the answer, one ended")
    func recordedInboundAnswered() throws {
        let events = AMIStreams.callEvents(AMIStreams.messages(try AMIStreams.recorded("inbound-answered")))
        // The recording's events arrive 3 s apart in this replay: ringing, answered, ended.
        let found = Self.occurrences(events.enumerated().map { ($1, Double($0) * 3) })
        #expect(Self.summary(found) == ["new", "updated answered", "ended 3s answered"])
        #expect(found.allSatisfy { $0.event.remoteNumber == "+441234567890" && $0.event.remoteName == "John Doe" })
        #expect(found.allSatisfy { $0.event.callID == "1795593625.0" && $0.event.direction == .incoming })
    }

    @Test("the other recordings: missed, outbound answered, a colleague's call")
    func otherRecordings() throws {
        func replay(_ scenario: String) throws -> [CallbackOccurrence] {
            let events = AMIStreams.callEvents(AMIStreams.messages(try AMIStreams.recorded(scenario)))
            return Self.occurrences(events.enumerated().map { ($1, Double($0)) })
        }
        #expect(Self.summary(try replay("inbound-missed")) == ["new", "ended 0s missed"])
        #expect(Self.summary(try replay("outbound-answered")) == ["new", "updated answered", "ended 1s answered"])
        let colleague = try replay("internal-colleague")
        #expect(Self.summary(colleague) == ["new", "updated answered", "ended 1s answered"])
        #expect(colleague.allSatisfy { $0.isColleague })
    }
}

/// The NDJSON `cause` field (busy, failed) for sources that know why a call failed.
@Suite("NDJSON end cause")
struct EventLineCauseTests {
    @Test func cause() throws {
        let busy = try EventLineDecoder.decode(Array(#"{"call":"c","state":"ended","direction":"outgoing","cause":"busy"}"#.utf8))
        #expect(busy.endCause == .busy)
        let none = try EventLineDecoder.decode(Array(#"{"call":"c","state":"ended","direction":"outgoing"}"#.utf8))
        #expect(none.endCause == nil)
        let error = #expect(throws: EventLineDecoder.LineError.self) {
            try EventLineDecoder.decode(Array(#"{"call":"c","state":"ended","direction":"outgoing","cause":"gone"}"#.utf8))
        }
        #expect(error?.message == #""cause" must be busy or failed, not "gone""#)
    }
}
