import CallPopAMI
import CallPopCore
import CallPopHashing
import CallPopTestSupport
import Testing

/// The protocol state machine, driven without a network or a clock.
@Suite struct AMISessionTests {
    let start = ContinuousClock.now

    /// A session; the protocol mechanics are tested without the event filter (its own tests below).
    static func session(_ login: AMILoginMethod = .challenge, filterEvents: Bool = false) -> AMISession {
        AMISession(
            configuration: .init(username: "popup", secret: "s3cret", login: login,
                                 keepaliveInterval: .seconds(20), responseTimeout: .seconds(5), filterEvents: filterEvents),
            mapper: AMICallMapper(matcher: AMIDeviceMatcher(devices: ["PJSIP/201"])))
    }

    static func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }
    static func send(_ text: String) -> AMISession.Action { .send(bytes(text)) }

    /// Logs in with the MD5 challenge and finishes an empty resynchronisation.
    func loggedIn() -> AMISession {
        var session = Self.session()
        _ = session.connected(at: start)
        _ = session.received(Self.bytes("Asterisk Call Manager/11.0.0\r\n"), at: start)
        _ = session.received(Self.bytes("Response: Success\r\nActionID: callpop-1\r\nChallenge: 840415273\r\n\r\n"), at: start)
        _ = session.received(Self.bytes("Response: Success\r\nActionID: callpop-2\r\nMessage: Authentication accepted\r\n\r\n"), at: start)
        _ = session.received(Self.bytes(
            "Response: Success\r\nActionID: callpop-3\r\nEventList: start\r\nMessage: Channels will follow\r\n\r\n"
            + "Event: CoreShowChannelsComplete\r\nActionID: callpop-3\r\nEventList: Complete\r\nListItems: 0\r\n\r\n"),
            at: start)
        return session
    }

    @Test func challengeLoginThenResync() {
        var session = Self.session()
        #expect(session.connected(at: start) == [])
        #expect(session.nextDeadline == start + .seconds(5))
        #expect(session.received(Self.bytes("Asterisk Call Manager/11.0.0\r\n"), at: start) == [
            Self.send("Action: Challenge\r\nActionID: callpop-1\r\nAuthType: MD5\r\n\r\n"),
        ])
        let key = MD5.hex("840415273s3cret")
        #expect(session.received(
            Self.bytes("Response: Success\r\nActionID: callpop-1\r\nChallenge: 840415273\r\n\r\n"), at: start) == [
            Self.send("Action: Login\r\nActionID: callpop-2\r\nUsername: popup\r\nAuthType: MD5\r\nKey: \(key)\r\nEvents: on\r\n\r\n"),
        ])
        #expect(session.received(
            Self.bytes("Response: Success\r\nActionID: callpop-2\r\nMessage: Authentication accepted\r\n\r\n"), at: start) == [
            .report(SourceReport(.info, "logged in to AMI as \"popup\"", connection: .connected)),
            Self.send("Action: CoreShowChannels\r\nActionID: callpop-3\r\n\r\n"),
        ])
        #expect(session.isLoggedIn)
    }

    /// By default the login asks for call events only and a filter for the user's devices
    /// follows the resynchronisation; the PBX's answer is reported either way.
    @Test func filteredLoginAsksForTheUsersCallEventsOnly() {
        var session = Self.session(filterEvents: true)
        _ = session.connected(at: start)
        _ = session.received(Self.bytes("Asterisk Call Manager/11.0.0\r\n"), at: start)
        let key = MD5.hex("840415273s3cret")
        #expect(session.received(
            Self.bytes("Response: Success\r\nActionID: callpop-1\r\nChallenge: 840415273\r\n\r\n"), at: start) == [
            Self.send("Action: Login\r\nActionID: callpop-2\r\nUsername: popup\r\nAuthType: MD5\r\nKey: \(key)\r\nEvents: call\r\n\r\n"),
        ])
        #expect(session.received(
            Self.bytes("Response: Success\r\nActionID: callpop-2\r\nMessage: Authentication accepted\r\n\r\n"), at: start) == [
            .report(SourceReport(.info, "logged in to AMI as \"popup\"", connection: .connected)),
            Self.send("Action: CoreShowChannels\r\nActionID: callpop-3\r\n\r\n"),
            Self.send("Action: Filter\r\nActionID: callpop-4\r\nOperation: Add\r\n"
                + "Filter: ^Event: Newchannel[^A-Za-z0-9]|ActionID: [cC][aA][lL][lL][pP][oO][pP]-[dD][iI][aA][lL]-"
                + "|[pP][jJ][sS][iI][pP]/201-\r\n\r\n"),
        ])
        let accepted = session.received(Self.bytes("Response: Success\r\nActionID: callpop-4\r\nMessage: Success\r\n\r\n"), at: start)
        #expect(accepted.count == 1)
        #expect(accepted.allSatisfy { if case .report(let report) = $0 { report.level == .info } else { false } })
    }

    /// An AMI user without the `system` write permission may not filter (the least-privilege
    /// account of docs/pbx/asterisk.md filters in manager.conf): the agent notes it and goes on.
    @Test func refusedFilterIsReportedAndEventsStillFlow() throws {
        var session = Self.session(.plain, filterEvents: true)
        _ = session.connected(at: start)
        #expect(session.received(Self.bytes("Asterisk Call Manager/11.0.0\r\n"), at: start)
            == [Self.send("Action: Login\r\nActionID: callpop-1\r\nUsername: popup\r\nSecret: s3cret\r\nEvents: call\r\n\r\n")])
        _ = session.received(Self.bytes("Response: Success\r\nActionID: callpop-1\r\nMessage: Authentication accepted\r\n\r\n"), at: start)
        let refused = session.received(Self.bytes("Response: Error\r\nActionID: callpop-3\r\nMessage: Permission denied\r\n\r\n"), at: start)
        guard case .report(let report)? = refused.first else { Issue.record("no report: \(refused)"); return }
        #expect(report.level == .info)
        #expect(report.message.contains("Permission denied") && report.message.contains("docs/scaling.md"))
        #expect(session.isLoggedIn)
        // The call still maps: the recording's events, unfiltered, give the call's three states.
        let events = try AMIStreams.recorded("inbound-answered")
        let emitted = session.received(events, at: start).compactMap { if case .emit(let event) = $0 { event } else { nil } }
        #expect(emitted.map(\.state) == [.ringing, .answered, .ended])
    }

    @Test func plainLoginSendsTheSecretOnlyToTheConnection() {
        var session = Self.session(.plain)
        _ = session.connected(at: start)
        let actions = session.received(Self.bytes("Asterisk Call Manager/11.0.0\r\n"), at: start)
        #expect(actions == [Self.send("Action: Login\r\nActionID: callpop-1\r\nUsername: popup\r\nSecret: s3cret\r\nEvents: on\r\n\r\n")])
    }

    @Test func credentialsCannotInjectFields() {
        var session = AMISession(
            configuration: .init(username: "popup\r\nAction: Originate", secret: "x", login: .plain, filterEvents: false),
            mapper: AMICallMapper(matcher: AMIDeviceMatcher(devices: [])))
        _ = session.connected(at: start)
        let actions = session.received(Self.bytes("Asterisk Call Manager/11.0.0\r\n"), at: start)
        #expect(actions == [Self.send("Action: Login\r\nActionID: callpop-1\r\nUsername: popupAction: Originate\r\nSecret: x\r\nEvents: on\r\n\r\n")])
    }

    @Test func rejectedLoginClosesWithAClearReasonAndNoSecret() {
        var session = Self.session()
        _ = session.connected(at: start)
        _ = session.received(Self.bytes("Asterisk Call Manager/11.0.0\r\n"), at: start)
        _ = session.received(Self.bytes("Response: Success\r\nActionID: callpop-1\r\nChallenge: 1\r\n\r\n"), at: start)
        let actions = session.received(
            Self.bytes("Response: Error\r\nActionID: callpop-2\r\nMessage: Authentication failed\r\n\r\n"), at: start)
        #expect(actions == [.close(.loginRejected(
            "the PBX refused the login of AMI user \"popup\" (Authentication failed); check username and secret in manager.conf"))])
        #expect(!"\(actions)".contains("s3cret"))
    }

    @Test func noBannerMeansStalled() {
        var session = Self.session()
        _ = session.connected(at: start)
        #expect(session.deadlinePassed(at: start + .seconds(4)) == [])
        #expect(session.deadlinePassed(at: start + .seconds(5)) == [
            .close(.stalled("no AMI banner within 5.0 seconds of connecting; is this an AMI port?")),
        ])
    }

    @Test func keepalivePingsWhenQuietAndDetectsAStall() {
        var session = loggedIn()
        #expect(session.nextDeadline == start + .seconds(20))
        #expect(session.deadlinePassed(at: start + .seconds(20)) == [Self.send("Action: Ping\r\nActionID: callpop-4\r\n\r\n")])
        #expect(session.nextDeadline == start + .seconds(25))
        // A reply clears the ping; the next one is due 20 s after the last input.
        _ = session.received(Self.bytes("Response: Success\r\nActionID: callpop-4\r\nPing: Pong\r\n\r\n"), at: start + .seconds(21))
        #expect(session.nextDeadline == start + .seconds(41))
        #expect(session.deadlinePassed(at: start + .seconds(41)) == [Self.send("Action: Ping\r\nActionID: callpop-5\r\n\r\n")])
        #expect(session.deadlinePassed(at: start + .seconds(46)) == [
            .close(.stalled("no answer to Ping within 5.0 seconds; the connection is stalled")),
        ])
    }

    @Test func eventsPushTheKeepaliveBack() {
        var session = loggedIn()
        _ = session.received(Self.bytes("Event: DeviceStateChange\r\nDevice: PJSIP/201\r\nState: INUSE\r\n\r\n"), at: start + .seconds(15))
        #expect(session.nextDeadline == start + .seconds(35))
    }

    @Test func logoffOnShutdown() {
        var session = loggedIn()
        #expect(session.shutdown(at: start) == [Self.send("Action: Logoff\r\nActionID: callpop-4\r\n\r\n")])
        #expect(session.received(Self.bytes("Response: Goodbye\r\nActionID: callpop-4\r\nMessage: Thanks for all the fish.\r\n\r\n"), at: start) == [.close(.loggedOff)])
    }

    @Test func logoffTimesOut() {
        var session = loggedIn()
        _ = session.shutdown(at: start)
        #expect(session.deadlinePassed(at: start + .seconds(2)) == [.close(.loggedOff)])
    }

    @Test func goodbyeFromThePeerCloses() {
        var session = loggedIn()
        #expect(session.received(Self.bytes("Response: Goodbye\r\nMessage: Manager shutting down\r\n\r\n"), at: start) == [.close(.closedByPeer)])
    }

    /// Garbage warnings go through the shared limiter: five a minute, then a count.
    @Test func garbageReportsAreLimitedAndCounted() {
        var session = loggedIn()
        let actions = session.received(Self.bytes(String(repeating: "not a field\r\n", count: 20)), at: start)
        #expect(actions.count == 5)
        #expect(actions.last == .report(SourceReport(.warning,
            "AMI: skipped a line that is not a Key: Value field: \"not a field\"; further warnings from here are counted and summed up within 60 s")))
        #expect(session.nextWarningSummary == start + .seconds(60))
        #expect(session.warningSummaries(at: start + .seconds(59)).isEmpty)
        #expect(session.warningSummaries(at: start + .seconds(60)) == [.report(SourceReport(.warning,
            "AMI: 15 more warnings from the PBX suppressed in the last 60 s"))])
        #expect(session.nextWarningSummary == nil)
        // A new minute: reported again.
        #expect(session.received(Self.bytes("not a field\r\n"), at: start + .seconds(61)).count == 1)
    }

    /// The whole recorded stream through the session, after the login exchange: the same events as the mapper alone.
    @Test func recordedStreamThroughTheSession() throws {
        var session = loggedIn()
        let actions = session.received(try AMIStreams.recorded("inbound-answered"), at: start)
        let events = actions.compactMap { if case .emit(let event) = $0 { event } else { nil } }
        #expect(events == Expected.inboundAnswered)
        #expect(actions.last == .close(.closedByPeer), "the recording ends with the Goodbye to its own Logoff")
    }
}
