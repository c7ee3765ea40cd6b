import CallPopAMI
import CallPopCore
import CallPopSIP
import CallPopSources
import CallPopTestSupport
import Foundation
import Testing

/// Malformed NOTIFY bodies reaching the running source in a real subscription: they are
/// answered 200, reported, produce no event, and the subscription goes on.
extension KamailioLabTests {
    /// The subscription's identifiers, read from the datagrams the relay saw.
    struct SubscriptionIDs {
        var callID: String
        var localTag: String
        var remoteTag: String
        var contact: SIPURI
    }

    static func subscriptionIDs(in directory: URL) throws -> SubscriptionIDs {
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
        let messages = try files.map { try SIPMessageParser.parseDatagram(Array(Data(contentsOf: directory.appendingPathComponent($0)))) }
        let subscribe = try #require(messages.last { $0.method == "SUBSCRIBE" })
        let ok = try #require(messages.last { $0.statusCode == 200 && $0.cseq?.method == "SUBSCRIBE" })
        return SubscriptionIDs(
            callID: try #require(subscribe.header("Call-ID")),
            localTag: try #require(subscribe.header("From").flatMap(SIPAddress.init)?.tag),
            remoteTag: try #require(ok.header("To").flatMap(SIPAddress.init)?.tag),
            contact: try #require(subscribe.header("Contact").flatMap(SIPAddress.init)?.uri))
    }

    static func forgedNotify(_ ids: SubscriptionIDs, cseq: Int, body: [UInt8]) -> SIPMessage {
        SIPMessage(
            startLine: .request(method: "NOTIFY", uri: ids.contact.raw),
            headers: [
                SIPHeader("Via", "SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bKforged\(cseq)"),
                SIPHeader("From", "<sip:201@127.0.0.1>;tag=\(ids.remoteTag)"),
                SIPHeader("To", "<sip:201@127.0.0.1>;tag=\(ids.localTag)"),
                SIPHeader("Call-ID", ids.callID),
                SIPHeader("CSeq", "\(cseq) NOTIFY"),
                SIPHeader("Event", "dialog"),
                SIPHeader("Subscription-State", "active;expires=500"),
                SIPHeader("Content-Type", "application/dialog-info+xml"),
            ],
            body: body)
    }

    @Test func malformedNotifyBodiesAreAnsweredReportedAndSurvived() async throws {
        guard KamailioLab.available() else { return }
        try await KamailioLab.withLab {
            let dump = KamailioLab.runDir.appendingPathComponent("dump-\(UUID().uuidString.prefix(8))")
            try FileManager.default.createDirectory(at: dump, withIntermediateDirectories: true)
            let relay = try await UDPRelay(dumpDirectory: dump)
            let source = RunningSource(KamailioLab.configuration(proxyPort: relay.port))
            let subscribed = await source.recorder.wait(seconds: 10) { _, reports in Self.connectedCount(reports) >= 1 }
            #expect(subscribed)
            let ids = try Self.subscriptionIDs(in: dump)
            let port = try #require(ids.contact.port)
            let hostile: [[UInt8]] = [
                Array("<?xml version=\"1.0\"?><dialog-info xmlns=\"urn:ietf:params:xml:ns:dialog-info\" version=\"900\" state=\"full\"><dialog id=\"x\"><state>early".utf8),
                [0x3c, 0xff, 0xfe, 0x00, 0x01, 0x3e, 0x80, 0x81],
                Array("<!DOCTYPE d [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;\">]><dialog-info version=\"901\">&b;</dialog-info>".utf8),
            ]
            for (offset, body) in hostile.enumerated() {
                let answer = try await KamailioLab.sendUDP(Self.forgedNotify(ids, cseq: 1000 + offset, body: body), host: ids.contact.host, port: port)
                #expect(answer == "SIP/2.0 200 OK")
            }
            // Still subscribed and still working: a well-formed document gives its event.
            let valid = """
                <?xml version="1.0"?><dialog-info xmlns="urn:ietf:params:xml:ns:dialog-info" version="950" state="full" entity="sip:201@127.0.0.1">
                <dialog id="forged" call-id="forged-1" direction="recipient"><state>early</state><remote><identity>sip:+3312345678@127.0.0.1</identity></remote></dialog></dialog-info>
                """
            let answer = try await KamailioLab.sendUDP(Self.forgedNotify(ids, cseq: 1010, body: Array(valid.utf8)), host: ids.contact.host, port: port)
            #expect(answer == "SIP/2.0 200 OK")
            _ = await source.recorder.wait(seconds: 5) { events, _ in !events.isEmpty }
            // Before stopping: stopping sends the un-SUBSCRIBE.
            let subscribeTransactions = Set(relay.lines.filter { $0.hasPrefix("c2s pass SUBSCRIBE") }.compactMap { $0.split(separator: "|").last })
            await source.stop()
            await relay.stop()
            let warnings = await source.recorder.reports.filter { $0.level == .warning }.map(\.message)
            #expect(warnings.count == 3, "\(warnings)")
            #expect(warnings.allSatisfy { $0.hasPrefix("ignored a NOTIFY from the SIP server: malformed dialog-info document") })
            let events = await source.recorder.events
            #expect(events.map { "\($0.state) \($0.direction) \($0.remoteNumber)" } == ["ringing incoming +3312345678"])
            // No resubscription was triggered: the challenged SUBSCRIBE and the authenticated one
            // (counted by CSeq, so that a retransmission under load does not count twice).
            #expect(subscribeTransactions.count == 2, "\(relay.lines)")
        }
    }
}
