import CallPopCore
import CallPopSIP
import Testing

/// Drives a state machine as the I/O layer would, recording what it asks for.
struct Driver {
    /// Time zero of every test: the machine sees instants, the tests read seconds since this.
    static let origin = ContinuousClock.now
    static func at(_ seconds: Double) -> ContinuousClock.Instant { origin + .milliseconds(Int((seconds * 1000).rounded())) }
    static func seconds(_ instant: ContinuousClock.Instant) -> Double {
        let (whole, fraction) = (instant - origin).components
        return Double(whole) + Double(fraction) / 1e18
    }

    var machine: SubscriptionStateMachine
    var now = 0.0
    /// The machine's next deadline in seconds since `origin`.
    var deadline: Double? { machine.nextDeadline.map(Self.seconds) }
    var sent: [SIPMessage] = []
    var events: [CallEvent] = []
    var reports: [SourceReport] = []

    init(transport: SIPTransport = .udp, password: String = "201-secret", backoff: SubscriptionBackoff = SubscriptionBackoff()) {
        let watched = SIPURI("sip:201@127.0.0.1")!
        machine = SubscriptionStateMachine(
            settings: .init(watched: watched, account: watched, username: "201", password: SIPSecret(password), backoff: backoff),
            seed: 1)
        record(machine.start(local: LocalEndpoint(host: "127.0.0.1", port: 5181, transport: transport), now: Self.at(now)))
    }

    mutating func record(_ actions: [SubscriptionAction]) {
        for action in actions {
            switch action {
            case .send(let message): sent.append(message)
            case .emit(let event): events.append(event)
            case .report(let report): reports.append(report)
            }
        }
    }

    /// Advances the clock to `time`, firing every deadline on the way.
    mutating func advance(to time: Double) {
        while let deadline, deadline <= time {
            now = max(now, deadline)
            record(machine.timeout(now: Self.at(now)))
        }
        now = time
    }

    mutating func receive(_ message: SIPMessage) {
        record(machine.receive(message, now: Self.at(now)))
    }

    var lastRequest: SIPMessage { sent.last(where: { $0.method != nil })! }

    /// A response to the last SUBSCRIBE, as the server would build it.
    func response(_ code: Int, _ reason: String, toTag: String? = "srv", _ extra: [SIPHeader] = []) -> SIPMessage {
        var message = SIPResponder.response(to: lastRequest, status: code, reason: reason, extraHeaders: extra)
        if let toTag, let index = message.headers.firstIndex(where: { $0.name == "To" }) {
            message.headers[index].value += ";tag=\(toTag)"
        }
        return message
    }

    /// A NOTIFY in the subscription's dialog.
    func notify(cseq: UInt32, state: String = "active;expires=600", body: String = "", callID: String? = nil) -> SIPMessage {
        let subscribe = sent.first(where: { $0.method == "SUBSCRIBE" && $0.header("Call-ID") == (callID ?? lastRequest.header("Call-ID")) })!
        let localTag = SIPAddress(subscribe.header("From")!)!.tag!
        var headers = [
            SIPHeader("Via", "SIP/2.0/UDP 127.0.0.1:5160;branch=z9hG4bKn\(cseq)"),
            SIPHeader("To", "<sip:201@127.0.0.1>;tag=\(localTag)"),
            SIPHeader("From", "<sip:201@127.0.0.1>;tag=srv"),
            SIPHeader("CSeq", "\(cseq) NOTIFY"),
            SIPHeader("Call-ID", subscribe.header("Call-ID")!),
            SIPHeader("Event", "dialog"),
            SIPHeader("Contact", "<sip:127.0.0.1:5160>"),
            SIPHeader("Record-Route", "<sip:proxy.example;lr>"),
            SIPHeader("Subscription-State", state),
        ]
        if !body.isEmpty { headers.append(SIPHeader("Content-Type", "application/dialog-info+xml")) }
        return SIPMessage(startLine: .request(method: "NOTIFY", uri: "sip:201@127.0.0.1:5181"), headers: headers, body: Array(body.utf8))
    }

    mutating func subscribeWithAuth(challenge: String = #"Digest realm="127.0.0.1", nonce="n1", qop="auth""#) {
        receive(response(401, "Unauthorized", [SIPHeader("WWW-Authenticate", challenge)]))
        receive(response(200, "OK", [
            SIPHeader("Expires", "600"), SIPHeader("Contact", "<sip:127.0.0.1:5160>"),
            SIPHeader("Record-Route", "<sip:proxy.example;lr>"),
        ]))
    }
}

@Suite struct SubscriptionStateMachineTests {
    @Test func initialSubscribeCarriesTheDialogEventHeaders() throws {
        let driver = Driver()
        let subscribe = try #require(driver.sent.first)
        #expect(subscribe.startLine == .request(method: "SUBSCRIBE", uri: "sip:201@127.0.0.1"))
        #expect(subscribe.header("Event") == "dialog")
        #expect(subscribe.header("Accept") == "application/dialog-info+xml")
        #expect(subscribe.header("Expires") == "600")
        #expect(subscribe.header("To") == "<sip:201@127.0.0.1>")
        #expect(subscribe.header("Contact") == "<sip:201@127.0.0.1:5181>")
        #expect(subscribe.header("Via")?.hasPrefix("SIP/2.0/UDP 127.0.0.1:5181;rport;branch=z9hG4bK") == true)
        #expect(subscribe.header("Authorization") == nil)
        #expect(driver.reports.map(\.connection) == [.connecting])
    }

    @Test func answersTheChallengeOnceWithAValidDigest() throws {
        var driver = Driver()
        let first = driver.lastRequest
        driver.receive(driver.response(401, "Unauthorized", [SIPHeader("WWW-Authenticate", #"Digest realm="127.0.0.1", nonce="abc", qop="auth", opaque="op""#)]))
        let second = driver.lastRequest
        #expect(driver.sent.count == 2)
        #expect(second.header("Call-ID") == first.header("Call-ID"))
        #expect(second.header("From") == first.header("From"))
        #expect(second.cseq?.number == (first.cseq?.number ?? 0) + 1)
        #expect(second.header("Via") != first.header("Via"))
        let authorization = try #require(second.header("Authorization"))
        let cnonce = try #require(authorization.split(separator: "cnonce=\"").last?.prefix(while: { $0 != "\"" }))
        let expected = DigestResponse.authorization(
            challenge: DigestChallenge(realm: "127.0.0.1", nonce: "abc", opaque: "op", qopOptions: ["auth"]),
            method: "SUBSCRIBE", uri: "sip:201@127.0.0.1", username: "201", password: "201-secret", nonceCount: 1, cnonce: String(cnonce))
        #expect(authorization == expected)
        driver.receive(driver.response(200, "OK", [SIPHeader("Expires", "600")]))
        #expect(driver.reports.last == SourceReport(.info, "subscribed to the calls of sip:201@127.0.0.1 for 600 s", connection: .connected))
        #expect(driver.machine.isActive)
        #expect(driver.deadline == 540)
    }

    @Test func proxyChallengesAreAnsweredWithProxyAuthorization() {
        var driver = Driver()
        driver.receive(driver.response(407, "Proxy Authentication Required", [SIPHeader("Proxy-Authenticate", #"Digest realm="p", nonce="x", algorithm=MD5-sess, qop="auth""#)]))
        #expect(driver.lastRequest.header("Proxy-Authorization")?.contains("algorithm=MD5-sess") == true)
        #expect(driver.lastRequest.header("Authorization") == nil)
    }

    @Test func wrongPasswordStopsWithAClearErrorAndDoesNotHammer() {
        var driver = Driver(password: "wrong")
        let challenge = SIPHeader("WWW-Authenticate", #"Digest realm="127.0.0.1", nonce="n1", qop="auth""#)
        driver.receive(driver.response(401, "Unauthorized", [challenge]))
        driver.receive(driver.response(401, "Unauthorized", [SIPHeader("WWW-Authenticate", #"Digest realm="127.0.0.1", nonce="n2", qop="auth""#)]))
        #expect(driver.sent.count == 2)
        #expect(driver.reports.last == SourceReport(
            .error, "the SIP server rejected the credentials of user '201' (realm \"127.0.0.1\"): check username and password; next attempt in 15 min",
            connection: .failed))
        #expect(!driver.reports.contains { $0.message.contains("wrong") })
        driver.advance(to: 899)
        #expect(driver.sent.count == 2)
        driver.advance(to: 900)
        #expect(driver.sent.count == 3)
        #expect(driver.lastRequest.header("Authorization") == nil)
    }

    @Test func staleNonceIsRetriedWithTheNewNonce() {
        var driver = Driver()
        driver.receive(driver.response(401, "Unauthorized", [SIPHeader("WWW-Authenticate", #"Digest realm="r", nonce="n1", qop="auth""#)]))
        driver.receive(driver.response(401, "Unauthorized", [SIPHeader("WWW-Authenticate", #"Digest realm="r", nonce="n2", qop="auth", stale=true"#)]))
        #expect(driver.sent.count == 3)
        #expect(driver.lastRequest.header("Authorization")?.contains(#"nonce="n2""#) == true)
        #expect(driver.lastRequest.header("Authorization")?.contains("nc=00000001") == true)
    }

    @Test func udpRetransmitsOnTimerEAndGivesUpOnTimerF() {
        var driver = Driver()
        driver.advance(to: 31.9)
        // Sent at 0, then 0.5, 1.5, 3.5, 7.5 (doubling to T2 = 4 s), 11.5, 15.5, ..., 31.5.
        #expect(driver.sent.count == 11)
        #expect(Set(driver.sent.map { $0.header("Via") }).count == 1)
        #expect(driver.reports.count == 1)
        driver.advance(to: 32)
        #expect(driver.reports.last == SourceReport(
            .warning, "no answer from the SIP server to SUBSCRIBE within 32 s; subscribing again in 2 s", connection: .disconnected))
        driver.advance(to: 34)
        #expect(driver.sent.count == 12)
        #expect(driver.sent[11].header("Call-ID") != driver.sent[0].header("Call-ID"))
    }

    @Test func provisionalResponsesSlowRetransmissionsToT2() {
        var driver = Driver()
        driver.receive(driver.response(100, "Trying", toTag: nil))
        driver.advance(to: 3.9)
        #expect(driver.sent.count == 1)
        driver.advance(to: 4.0)
        #expect(driver.sent.count == 2)
    }

    @Test func tcpNeverRetransmits() {
        var driver = Driver(transport: .tcp)
        #expect(driver.sent.first?.header("Contact") == "<sip:201@127.0.0.1:5181;transport=tcp>")
        #expect(driver.sent.first?.header("Via")?.hasPrefix("SIP/2.0/TCP ") == true)
        driver.advance(to: 31.9)
        #expect(driver.sent.count == 1)
    }

    @Test func notifiesAreAnsweredAndTurnedIntoEvents() throws {
        var driver = Driver()
        driver.subscribeWithAuth()
        let sentBefore = driver.sent.count
        driver.receive(driver.notify(cseq: 1))
        let early = """
            <?xml version="1.0"?><dialog-info xmlns="urn:ietf:params:xml:ns:dialog-info" version="2" state="full" entity="sip:201@127.0.0.1">
            <dialog id="d1" call-id="c1" direction="recipient"><state>early</state><remote><identity>sip:+4912345@127.0.0.1</identity></remote></dialog></dialog-info>
            """
        driver.receive(driver.notify(cseq: 2, body: early))
        driver.receive(driver.notify(cseq: 2, body: early))  // retransmission: answered, not re-processed
        let responses = driver.sent[sentBefore...]
        #expect(responses.map(\.statusCode) == [200, 200, 200])
        #expect(responses.allSatisfy { $0.header("CSeq")?.hasSuffix("NOTIFY") == true && $0.header("Via") != nil })
        #expect(driver.events.map { "\($0.state) \($0.direction) \($0.remoteNumber)" } == ["ringing incoming +4912345"])
        driver.receive(driver.notify(cseq: 3))  // bodyless: no dialogs
        #expect(driver.events.map(\.state) == [.ringing, .ended])
        driver.receive(driver.notify(cseq: 1))  // older CSeq
        #expect(driver.sent.last?.statusCode == 500)
    }

    @Test func malformedBodiesAreAnsweredAndReported() {
        var driver = Driver()
        driver.subscribeWithAuth()
        driver.receive(driver.notify(cseq: 1, body: "<dialog-info version=\"1\"><dialog id=\"x\"><state>early"))
        #expect(driver.sent.last?.statusCode == 200)
        #expect(driver.reports.last?.level == .warning)
        #expect(driver.reports.last?.message.hasPrefix("ignored a NOTIFY from the SIP server: malformed dialog-info document") == true)
        #expect(driver.events.isEmpty)
    }

    @Test func foreignNotifiesGet481() {
        var driver = Driver()
        driver.subscribeWithAuth()
        var foreign = driver.notify(cseq: 1)
        foreign.headers = foreign.headers.map { $0.name == "To" ? SIPHeader("To", "<sip:201@127.0.0.1>;tag=other") : $0 }
        driver.receive(foreign)
        #expect(driver.sent.last?.statusCode == 481)
        let stray = SIPResponder.responseToStray(SIPMessage(startLine: .request(method: "NOTIFY", uri: "sip:x@y"), headers: [SIPHeader("Call-ID", "zzz"), SIPHeader("CSeq", "1 NOTIFY")]))
        #expect(stray?.statusCode == 481)
        #expect(stray?.header("Call-ID") == "zzz")
    }

    @Test func refreshesInTheDialogBeforeExpiry() throws {
        var driver = Driver()
        driver.subscribeWithAuth()
        driver.receive(driver.notify(cseq: 1))
        let callID = driver.lastRequest.header("Call-ID")
        driver.advance(to: 539)
        let before = driver.sent.count
        driver.advance(to: 540)
        #expect(driver.sent.count == before + 1)
        let refresh = driver.lastRequest
        #expect(refresh.startLine == .request(method: "SUBSCRIBE", uri: "sip:127.0.0.1:5160"))
        #expect(refresh.header("To") == "<sip:201@127.0.0.1>;tag=srv")
        #expect(refresh.header("Route") == "<sip:proxy.example;lr>")
        #expect(refresh.header("Call-ID") == callID)
        driver.receive(driver.response(200, "OK", toTag: nil, [SIPHeader("Expires", "600")]))
        #expect(driver.deadline == 1080)
        #expect(driver.reports.count == 2)  // connecting, connected: a refresh is not news
    }

    @Test func refreshRejectedWith481SubscribesAgainAfterBackoff() {
        var driver = Driver()
        driver.subscribeWithAuth()
        driver.receive(driver.notify(cseq: 1))
        let firstCallID = driver.lastRequest.header("Call-ID")
        driver.advance(to: 540)
        driver.receive(driver.response(481, "Call/Transaction Does Not Exist", toTag: nil))
        #expect(driver.reports.last?.message == "the SIP server forgot the subscription (481 on refresh); subscribing again in 2 s")
        driver.advance(to: 542)
        #expect(driver.lastRequest.header("Call-ID") != firstCallID)
        #expect(driver.lastRequest.header("To") == "<sip:201@127.0.0.1>")
        #expect(driver.lastRequest.startLine == .request(method: "SUBSCRIBE", uri: "sip:201@127.0.0.1"))
    }

    @Test func terminatedSubscriptionIsRenewedAtOnceThenWithBackoff() {
        var driver = Driver()
        driver.subscribeWithAuth()
        driver.receive(driver.notify(cseq: 1, state: "terminated;reason=timeout"))
        #expect(driver.sent.last?.statusCode == 200)
        #expect(driver.deadline == 0)
        driver.advance(to: 0)
        #expect(driver.lastRequest.header("Authorization") == nil)
        // Terminated again before a success: now it backs off.
        driver.receive(driver.notify(cseq: 1, state: "terminated;reason=deactivated"))
        #expect(driver.deadline == 2)
        driver.receive(driver.notify(cseq: 2, state: "terminated;reason=rejected"))
        #expect(driver.sent.last?.statusCode == 481)  // the dialog is already gone
    }

    @Test func backoffDoublesUpToItsCap() {
        let backoff = SubscriptionBackoff()
        #expect((1...10).map { backoff.delay(afterFailures: $0).components.seconds } == [2, 4, 8, 16, 32, 64, 128, 256, 300, 300])
        var driver = Driver()
        var times: [Double] = []
        for _ in 0..<4 {
            driver.receive(driver.response(503, "Service Unavailable"))
            times.append(driver.deadline! - driver.now)
            driver.advance(to: driver.deadline!)
        }
        #expect(times == [2, 4, 8, 16])
        driver.receive(driver.response(503, "Service Unavailable", [SIPHeader("Retry-After", "120")]))
        #expect(driver.deadline! - driver.now == 120)
    }

    @Test func refusedEventPackageIsAConfigurationFault() {
        var driver = Driver()
        driver.receive(driver.response(489, "Bad Event"))
        #expect(driver.reports.last == SourceReport(
            .error, "the SIP server refused to report the calls of sip:201@127.0.0.1: 489 Bad Event; next attempt in 15 min", connection: .failed))
    }

    @Test func transportLossRetriesLater() {
        var driver = Driver(transport: .tcp)
        driver.record(driver.machine.transportLost(reason: "connection refused", now: Driver.at(0)))
        #expect(driver.reports.last?.message == "lost the connection to the SIP server (connection refused); subscribing again in 2 s")
        #expect(driver.deadline == 2)
    }

    @Test func stopUnsubscribes() {
        var driver = Driver()
        driver.subscribeWithAuth()
        driver.receive(driver.notify(cseq: 1))
        driver.record(driver.machine.stop(now: Driver.at(10)))
        #expect(driver.lastRequest.header("Expires") == "0")
        // Over UDP the goodbye is retransmitted until it is answered.
        #expect(driver.deadline == 10.5)
        #expect(!driver.machine.isIdle)
        driver.receive(driver.response(200, "OK"))
        #expect(driver.machine.isIdle)
        #expect(driver.deadline == nil)
    }

    @Test func passwordNeverAppearsInDescriptions() {
        let secret = SIPSecret("201-secret")
        #expect("\(secret)" == "<redacted>")
        var dumped = ""
        dump(SIPSourceConfiguration(uri: SIPURI("sip:201@pbx")!, password: secret), to: &dumped)
        #expect(!dumped.contains("201-secret"))
    }
}
