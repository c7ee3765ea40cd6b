import CallPopAMI
import CallPopCore
import CallPopSIP
import CallPopSources
import CallPopTestSupport
import Foundation
import Testing

/// The SIP source against a real Kamailio 5.6 (registrar, proxy, dialog-event server,
/// digest auth) with sipp phones. One Kamailio at a time (fixed port 5160): serialized.
@Suite(.serialized) struct KamailioLabTests {
    /// The events of one call with the run-specific call id and dialog id replaced by "X",
    /// after checking that they are the same for every event of the call.
    static func normalized(_ events: [CallEvent]) -> [CallEvent] {
        #expect(Set(events.map(\.callID)).count == 1, "one call id per call: \(events.map(\.callID))")
        #expect(Set(events.map(\.channel)).count == 1)
        return events.map { event in
            var copy = event
            copy.callID = "X"
            copy.channel = "X"
            return copy
        }
    }

    static func call(_ states: [CallState], _ direction: CallDirection, number: String, called: String) -> [CallEvent] {
        states.map {
            CallEvent(callID: "X", state: $0, direction: direction, remoteNumber: number, calledNumber: called, userNumber: "201", channel: "X")
        }
    }

    /// Starts the lab and the source, plays `scenario`, returns the normalized events.
    static func run(_ scenario: String, transport: SIPTransport = .udp, expecting count: Int) async throws -> [CallEvent] {
        try await KamailioLab.withLab {
            let source = RunningSource(KamailioLab.configuration(transport: transport))
            let subscribed = await source.recorder.wait(seconds: 10) { _, reports in reports.contains { $0.connection == .connected } }
            let reports = await source.recorder.reports
            #expect(subscribed, "no subscription: \(reports)")
            try await KamailioLab.play(scenario)
            _ = await source.recorder.wait(seconds: 10) { events, _ in events.count >= count }
            // Anything extra would arrive within a second of the call's end.
            _ = await source.recorder.wait(seconds: 1) { events, _ in events.count > count }
            await source.stop()
            return normalized(await source.recorder.events)
        }
    }

    @Test func inboundAnswered() async throws {
        guard KamailioLab.available() else { return }
        #expect(try await Self.run("inbound-answered", expecting: 3)
            == Self.call([.ringing, .answered, .ended], .incoming, number: "+441234567890", called: "201"))
    }

    @Test func inboundMissed() async throws {
        guard KamailioLab.available() else { return }
        #expect(try await Self.run("inbound-missed", expecting: 2)
            == Self.call([.ringing, .ended], .incoming, number: "+15551234567", called: "201"))
    }

    @Test func outboundAnswered() async throws {
        guard KamailioLab.available() else { return }
        #expect(try await Self.run("outbound-answered", expecting: 3)
            == Self.call([.ringing, .answered, .ended], .outgoing, number: "00493012345678", called: "00493012345678"))
    }

    @Test func internalColleague() async throws {
        guard KamailioLab.available() else { return }
        #expect(try await Self.run("internal-colleague", expecting: 3)
            == Self.call([.ringing, .answered, .ended], .incoming, number: "202", called: "201"))
    }

    @Test func inboundAnsweredOverTCP() async throws {
        guard KamailioLab.available() else { return }
        #expect(try await Self.run("inbound-answered", transport: .tcp, expecting: 3)
            == Self.call([.ringing, .answered, .ended], .incoming, number: "+441234567890", called: "201"))
    }
}
