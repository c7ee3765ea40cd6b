import CallPopAMI
import CallPopCore
import CallPopSIP
import CallPopSources
import CallPopTestSupport
import Foundation
import Testing

/// Faults against the real Kamailio: server down at start, wrong password, lost UDP,
/// server restart (481 on refresh). Part of the serialized `KamailioLabTests` suite:
/// one Kamailio at a time.
extension KamailioLabTests {
    static func connectedCount(_ reports: [SourceReport]) -> Int {
        reports.filter { $0.connection == .connected }.count
    }

    @Test func serverDownAtStartThenUp() async throws {
        guard KamailioLab.available() else { return }
        let source = RunningSource(KamailioLab.configuration())
        // Nothing answers for a while: the SUBSCRIBE is retransmitted (timer E), not given up.
        try await Task.sleep(for: .seconds(1.2))
        let events = try await KamailioLab.withLab {
            let subscribed = await source.recorder.wait(seconds: 10) { _, reports in Self.connectedCount(reports) >= 1 }
            #expect(subscribed)
            try await KamailioLab.play("inbound-missed")
            _ = await source.recorder.wait(seconds: 10) { events, _ in events.count >= 2 }
            await source.stop()
            return await source.recorder.events
        }
        #expect(Self.normalized(events) == Self.call([.ringing, .ended], .incoming, number: "+15551234567", called: "201"))
    }

    @Test func wrongPasswordGivesAClearErrorWithoutHammering() async throws {
        guard KamailioLab.available() else { return }
        try await KamailioLab.withLab {
            let relay = try await UDPRelay()
            let source = RunningSource(KamailioLab.configuration(password: "not-the-password", proxyPort: relay.port))
            let failed = await source.recorder.wait(seconds: 10) { _, reports in reports.contains { $0.connection == .failed } }
            #expect(failed)
            // Give a hammering client time to show itself.
            try await Task.sleep(for: .seconds(3))
            await source.stop()
            await relay.stop()
            // Exactly two SUBSCRIBE transactions reached the server (a UDP retransmission
            // under load repeats a CSeq and is not a new attempt).
            let subscribes = Set(relay.lines.filter { $0.hasPrefix("c2s pass SUBSCRIBE ") }.compactMap { $0.split(separator: "|").last })
            #expect(subscribes.count == 2, "\(relay.lines)")
            let reports = await source.recorder.reports
            #expect(reports.last(where: { $0.level == .error })?.message
                == "the SIP server rejected the credentials of user '201' (realm \"127.0.0.1\"): check username and password; next attempt in 15 min")
            #expect(!reports.contains { $0.message.contains("not-the-password") })
        }
    }

    @Test func droppedSubscribeIsRetransmitted() async throws {
        guard KamailioLab.available() else { return }
        try await KamailioLab.withLab {
            let relay = try await UDPRelay(dropSubscribes: 1)
            let source = RunningSource(KamailioLab.configuration(proxyPort: relay.port))
            let subscribed = await source.recorder.wait(seconds: 10) { _, reports in Self.connectedCount(reports) >= 1 }
            await source.stop()
            await relay.stop()
            #expect(subscribed)
            let subscribeLines = relay.lines.filter { $0.hasPrefix("c2s") && $0.contains("SUBSCRIBE sip:") }
            // The first SUBSCRIBE was lost; its retransmission (same CSeq) went through, then the authenticated one.
            #expect(subscribeLines.count >= 3, "\(relay.lines)")
            if subscribeLines.count >= 2 {
                #expect(subscribeLines[0].hasPrefix("c2s drop SUBSCRIBE"))
                #expect(subscribeLines[1].hasPrefix("c2s pass SUBSCRIBE"))
                #expect(subscribeLines[0].split(separator: "|").last == subscribeLines[1].split(separator: "|").last)
            }
        }
    }

    @Test func serverRestartIsNoticedAtRefreshAndRecovered() async throws {
        guard KamailioLab.available() else { return }
        let (events, reports) = try await KamailioLab.withLab {
            // Expires 20 s: the refresh is due after 10 s.
            let source = RunningSource(KamailioLab.configuration(expires: 20))
            let subscribed = await source.recorder.wait(seconds: 10) { _, reports in Self.connectedCount(reports) >= 1 }
            #expect(subscribed)
            await KamailioLab.stop()
            try await KamailioLab.start()
            let recovered = await source.recorder.wait(seconds: 25) { _, reports in Self.connectedCount(reports) >= 2 }
            #expect(recovered)
            try await KamailioLab.play("inbound-missed")
            _ = await source.recorder.wait(seconds: 10) { events, _ in events.count >= 2 }
            await source.stop()
            return (await source.recorder.events, await source.recorder.reports)
        }
        #expect(reports.contains { $0.message == "the SIP server forgot the subscription (481 on refresh); subscribing again in 2 s" },
                "\(reports.map(\.message))")
        #expect(Self.normalized(events) == Self.call([.ringing, .ended], .incoming, number: "+15551234567", called: "201"))
    }
}
