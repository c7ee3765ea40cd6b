import CallPopAMI
import CallPopCore
import CallPopSources
import CallPopTestSupport
import Foundation
import Testing

/// Click-to-dial on the live AMI session: the real client sends the `Originate` through its
/// command channel, a local AMI server checks it against the recorded action
/// (`ami-sent.txt`) and answers with the real Asterisk 22's recording; the outcome comes
/// back to the caller and the placed call is reported once, as outgoing.
@Suite(.timeLimit(.minutes(1))) struct AMIDialTests {
    static let request = AMIDialRequest(
        device: "PJSIP/201", context: "internal", exten: "02079460000", callerID: "\"Alice Agent\" <201>",
        timeout: .seconds(30))

    /// Runs a client on `server`, asks it to dial `request` at once (before it has logged in,
    /// as the one-shot `callpop dial` does), and waits for `events` call events after the outcome.
    static func dial(
        _ server: TestAMIServer, _ request: AMIDialRequest = request, events: Int, wait: Double = 5
    ) async -> (AMIOriginateOutcome, SourceRecorder) {
        let recorder = SourceRecorder()
        let client = AMIClient(configuration: AMIClientTests.configuration(port: server.port))
        let task = Task {
            try await client.run(emit: { await recorder.record($0) }, report: { await recorder.record($0) })
        }
        let outcome = await client.dials.dial(request)
        _ = await recorder.wait(seconds: wait) { recorded, _ in recorded.count >= events }
        task.cancel()
        _ = try? await task.value
        return (outcome, recorder)
    }

    @Test func answeredOriginateIsReportedAndItsCallIsOutgoingOnce() async throws {
        let server = try TestAMIServer(
            secret: AMIClientTests.secret, scripts: [.init(originate: try OriginateReplay.recorded("click-to-dial"))])
        defer { server.stop() }
        let (outcome, recorder) = await Self.dial(server, events: 3)

        let sent = try #require(server.receivedOriginates.first)
        #expect(server.receivedOriginates.count == 1)
        #expect(try OriginateReplay.recorded("click-to-dial").mismatch(sent) == nil)
        #expect(sent.actionID == "callpop-dial-1")
        let channelID = try #require(sent["ChannelId"])
        #expect(channelID.wholeMatch(of: /callpop-[0-9a-f]{16}/) != nil)

        #expect(outcome.result == .answered)
        #expect(outcome.succeeded)
        #expect(outcome.callID == channelID)
        #expect(outcome.exten == "02079460000")
        #expect(outcome.description == "your phone answered; the PBX is dialling 02079460000")
        #expect(await recorder.events == Expected.call(
            channelID, .outgoing, remote: "02079460000", name: "", called: "02079460000",
            channel: "PJSIP/201-00000000", states: [.ringing, .answered, .ended]))
        #expect(server.actions.first?.contains("Originate") == true)
    }

    @Test func busyPhoneIsReportedAsBusyAndNoCall() async throws {
        let server = try TestAMIServer(
            secret: AMIClientTests.secret, scripts: [.init(originate: try OriginateReplay.recorded("click-to-dial-failed"))])
        defer { server.stop() }
        // The recording ends with the phone's hangup: a call event would be there within half a second.
        let (outcome, recorder) = await Self.dial(server, events: 1, wait: 0.5)
        #expect(server.receivedOriginates.count == 1)
        #expect(outcome.result == .busy)
        #expect(outcome.hangupCause == 17)
        #expect(outcome.channel == "PJSIP/201-00000000")
        #expect(outcome.description == "the call to 02079460000 was not placed: your phone (PJSIP/201) was busy or declined it")
        #expect(await recorder.events == [])
    }

    /// A PBX that does not know the action (here: no replay) refuses it with its own words.
    @Test func refusedOriginateCarriesThePBXsMessage() async throws {
        let server = try TestAMIServer(secret: AMIClientTests.secret, scripts: [.init()])
        defer { server.stop() }
        let (outcome, _) = await Self.dial(server, events: 0)
        #expect(outcome.result == .refused)
        #expect(outcome.pbxMessage == "Invalid/unknown command")
    }

    /// An action that differs from the recording is refused by the replaying server: the check can fail.
    @Test func replayRefusesAnotherAction() async throws {
        var other = Self.request
        other.context = "from-internal"
        let server = try TestAMIServer(
            secret: AMIClientTests.secret, scripts: [.init(originate: try OriginateReplay.recorded("click-to-dial"))])
        defer { server.stop() }
        let (outcome, _) = await Self.dial(server, other, events: 0)
        #expect(outcome.result == .refused)
        #expect(outcome.pbxMessage?.contains("Context: from-internal, recorded internal") == true)
    }

    /// No PBX to talk to: the request is refused after its wait, and nothing rings later.
    @Test func noSessionRefusesAfterTheWait() async throws {
        let server = try TestAMIServer(secret: AMIClientTests.secret, scripts: [])
        server.stop()
        var quick = Self.request
        quick.connectWait = .milliseconds(300)
        let start = ContinuousClock.now
        let (outcome, _) = await Self.dial(server, quick, events: 0)
        #expect(outcome.result == .notConnected)
        #expect(ContinuousClock.now - start < .seconds(5))
    }
}
