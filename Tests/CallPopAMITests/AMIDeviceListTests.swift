import CallPopAMI
import CallPopCore
import CallPopTestSupport
import Testing

/// With `listDevices` (for `callpop doctor`), the session asks for `DeviceStateList` after
/// the resynchronisation and reports the user's devices the PBX names, once each.
@Suite struct AMIDeviceListTests {
    let start = ContinuousClock.now

    func session(listDevices: Bool) -> AMISession {
        AMISession(
            configuration: .init(username: "popup", secret: "s3cret", login: .plain, listDevices: listDevices),
            mapper: AMICallMapper(matcher: AMIDeviceMatcher(devices: ["PJSIP/201", "SIP/201"])))
    }

    /// Logs in (plain) and finishes an empty resynchronisation; returns that last step's actions.
    func login(_ session: inout AMISession) -> [AMISession.Action] {
        _ = session.connected(at: start)
        _ = session.received(Array("Asterisk Call Manager/11.0.0\r\n".utf8), at: start)
        _ = session.received(Array("Response: Success\r\nActionID: callpop-1\r\nMessage: Authentication accepted\r\n\r\n".utf8), at: start)
        return session.received(Array((
            "Response: Success\r\nActionID: callpop-2\r\nEventList: start\r\n\r\n"
                + "Event: CoreShowChannelsComplete\r\nActionID: callpop-2\r\nEventList: Complete\r\nListItems: 0\r\n\r\n").utf8), at: start)
    }

    static func state(_ device: String, _ state: String, id: String? = nil) -> [UInt8] {
        Array(("Event: DeviceStateChange\r\n" + (id.map { "ActionID: \($0)\r\n" } ?? "") + "Device: \(device)\r\nState: \(state)\r\n\r\n").utf8)
    }

    @Test func theUsersDevicesAreReportedOnceEach() {
        var session = session(listDevices: true)
        #expect(login(&session) == [
            .report(SourceReport(.info, "resynchronised with CoreShowChannels (0 channels)")),
            .send(Array("Action: DeviceStateList\r\nActionID: callpop-3\r\n\r\n".utf8)),
        ])
        #expect(session.received(Self.state("PJSIP/202", "NOT_INUSE", id: "callpop-3"), at: start) == [])
        #expect(session.received(Self.state("pjsip/201", "NOT_INUSE", id: "callpop-3"), at: start) == [
            .report(SourceReport(.info, "the PBX knows device pjsip/201 (NOT_INUSE)", deviceSeen: "pjsip/201")),
        ])
        // Live changes of the same device later say nothing new; another device of the user does.
        #expect(session.received(Self.state("PJSIP/201", "RINGING"), at: start) == [])
        #expect(session.received(Self.state("SIP/201", "UNAVAILABLE\u{7}"), at: start) == [
            .report(SourceReport(.info, "the PBX knows device SIP/201 (UNAVAILABLE)", deviceSeen: "SIP/201")),
        ])
    }

    @Test func theAgentDoesNotAsk() {
        var session = session(listDevices: false)
        #expect(login(&session) == [.report(SourceReport(.info, "resynchronised with CoreShowChannels (0 channels)"))])
        #expect(session.received(Self.state("PJSIP/201", "NOT_INUSE"), at: start) == [])
    }
}
