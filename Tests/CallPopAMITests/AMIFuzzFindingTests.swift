import CallPopAMI
import CallPopCore
import CallPopTestSupport
import Foundation
import Testing

/// Inputs with which the `ami-session` fuzz target found a defect (Tests/Fixtures/fuzz/ami-session/).
@Suite("AMI fuzz findings")
struct AMIFuzzFindingTests {
    /// A session logged in with a plain Login, as the fuzz target's mode byte chose.
    static func loggedIn() -> AMISession {
        var session = AMISession(
            configuration: .init(username: "popup", secret: "s3cret", login: .plain,
                                 keepaliveInterval: .seconds(20), responseTimeout: .seconds(5)),
            mapper: AMICallMapper(matcher: AMIDeviceMatcher(devices: ["PJSIP/201"]), maxTrackedChannels: 16))
        let now = ContinuousClock.now
        _ = session.connected(at: now)
        for answer in [
            "Asterisk Call Manager/11.0.0\r\n",
            "Response: Success\r\nActionID: callpop-1\r\nMessage: Authentication accepted\r\n\r\n",
            "Response: Success\r\nActionID: callpop-2\r\nEventList: start\r\nMessage: Channels will follow\r\n\r\n"
                + "Event: CoreShowChannelsComplete\r\nActionID: callpop-2\r\nEventList: Complete\r\nListItems: 0\r\n\r\n",
        ] { _ = session.received(Array(answer.utf8), at: now) }
        return session
    }

    /// A blank `Linkedid` (here in a `DialBegin` of the user's channel) made a call with an
    /// empty id, into which every such channel would have merged.
    @Test func aBlankLinkedidDoesNotMakeACallWithoutAnID() throws {
        var session = Self.loggedIn()
        let stream = try Data(contentsOf: Fixtures.url("fuzz/ami-session/blank-linkedid")).dropFirst(3)
        let events = session.received(stream, at: .now).compactMap { if case .emit(let event) = $0 { event } else { nil } }
        #expect(!events.isEmpty)
        #expect(events.allSatisfy { !$0.callID.isEmpty }, "\(events.map(\.callID))")
    }

    @Test func aChannelWithABlankLinkedidIsItsOwnCall() {
        var mapper = AMICallMapper(matcher: AMIDeviceMatcher(devices: ["PJSIP/201"]))
        let newchannel = AMIMessage([
            "Event": "Newchannel", "Channel": "PJSIP/201-00000001", "ChannelStateDesc": "Down",
            "CallerIDNum": "201", "Exten": "02079460000", "Uniqueid": "1700000000.1", "Linkedid": "\u{7}",
        ])
        let dial = AMIMessage([
            "Event": "DialBegin", "Channel": "PJSIP/201-00000001", "Uniqueid": "1700000000.1", "Linkedid": "",
            "DestChannel": "PJSIP/trunk-00000002", "DestUniqueid": "1700000000.2", "DestLinkedid": "",
            "DialString": "trunk/02079460000",
        ])
        let events = mapper.handle(newchannel) + mapper.handle(dial)
        #expect(!events.isEmpty)
        #expect(events.map(\.callID) == Array(repeating: "1700000000.1", count: events.count))
    }
}
