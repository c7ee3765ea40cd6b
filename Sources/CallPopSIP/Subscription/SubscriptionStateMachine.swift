import CallPopCore

/// One RFC 6665 subscription to the `dialog` event package (RFC 4235) of one extension,
/// as a pure state machine (swift-nio style): the I/O layer feeds it messages, timer
/// expiries and transport failures, and executes the actions it returns. No sockets,
/// no clocks: times are monotonic seconds given by the caller.
///
/// It sends SUBSCRIBE (`Event: dialog`, `Accept: application/dialog-info+xml`,
/// `Expires`), retransmits over UDP (timers E/F), answers digest challenges (401/407)
/// once per challenge, keeps the dialog (tags, route set, remote target, CSeq),
/// refreshes before expiry, answers every NOTIFY (200; 481 when it is not ours) and
/// subscribes again with capped backoff when the subscription ends or fails. Wrong
/// credentials and refused event packages wait `configurationFault` seconds instead.
public struct SubscriptionStateMachine: Sendable {
    /// What to subscribe to, as whom.
    public struct Settings: Sendable, Hashable {
        /// The extension whose calls are watched (Request-URI and To).
        public var watched: SIPURI
        /// The user's own address of record (From).
        public var account: SIPURI
        /// The digest user name.
        public var username: String
        /// The digest password.
        public var password: SIPSecret
        /// The subscription duration asked for.
        public var expires: Int
        /// Retry delays.
        public var backoff: SubscriptionBackoff
        /// The `User-Agent` header.
        public var userAgent: String

        /// Creates settings.
        public init(watched: SIPURI, account: SIPURI, username: String, password: SIPSecret, expires: Int = 600,
                    backoff: SubscriptionBackoff = SubscriptionBackoff(), userAgent: String = "callpop") {
            self.watched = watched
            self.account = account
            self.username = username
            self.password = password
            self.expires = expires
            self.backoff = backoff
            self.userAgent = userAgent
        }
    }

    private enum Phase: Sendable {
        case idle
        case waiting(until: ContinuousClock.Instant)
        case subscribing(ClientTransaction)
        case active(refreshAt: ContinuousClock.Instant)
        case refreshing(ClientTransaction)
        /// The goodbye (`Expires: 0`) is on its way; retransmitted over UDP until answered.
        case unsubscribing(ClientTransaction)
    }

    private let settings: Settings
    private var ids: SIPIdentifierSource
    private var tracker: DialogCallTracker
    private var local: LocalEndpoint?
    private var phase: Phase = .idle
    private var callID = ""
    private var localTag = ""
    private var cseq: UInt32 = 0
    private var dialog: SubscriptionDialog?
    private var requestedExpires: Int
    private var failures = 0
    private var authAttempts = 0
    private var nonceCounts: [String: UInt32] = [:]

    /// Creates a machine; `seed` makes tags, branches and Call-IDs reproducible (tests).
    public init(settings: Settings, seed: UInt64? = nil) {
        self.settings = settings
        var ids = SIPIdentifierSource(seed: seed)
        tracker = DialogCallTracker(userNumber: settings.watched.user, callIDPrefix: "sip:\(settings.watched.user)/\(ids.hex(8))/")
        self.ids = ids
        requestedExpires = settings.expires
    }

    /// When `timeout(now:)` must be called next; `nil` when nothing is scheduled.
    public var nextDeadline: ContinuousClock.Instant? {
        switch phase {
        case .idle: nil
        case .waiting(let until): until
        case .subscribing(let transaction), .refreshing(let transaction), .unsubscribing(let transaction): transaction.deadline
        case .active(let refreshAt): refreshAt
        }
    }

    /// Whether the machine has nothing left to do: never started, or stopped and its
    /// un-SUBSCRIBE answered or given up on.
    public var isIdle: Bool {
        if case .idle = phase { true } else { false }
    }

    /// Whether the subscription is established (for status output).
    public var isActive: Bool {
        switch phase {
        case .active, .refreshing: true
        default: false
        }
    }

    /// Whether `message` belongs to this subscription (by Call-ID).
    public func owns(_ message: SIPMessage) -> Bool {
        !callID.isEmpty && message.header("Call-ID") == callID
    }

    /// Starts (or, after a transport change, restarts) subscribing from `local`.
    public mutating func start(local: LocalEndpoint, now: ContinuousClock.Instant) -> [SubscriptionAction] {
        self.local = local
        return subscribeAfresh(now: now)
    }

    /// The transport failed (connection refused or lost, send error): try again later.
    public mutating func transportLost(reason: String, now: ContinuousClock.Instant) -> [SubscriptionAction] {
        dialog = nil
        return retryLater(now: now, why: "lost the connection to the SIP server (\(reason))")
    }

    /// Ends the subscription politely (`Expires: 0`). Over UDP the request is retransmitted
    /// until the server answers or timer F fires; `isIdle` says when it is over.
    public mutating func stop(now: ContinuousClock.Instant) -> [SubscriptionAction] {
        guard dialog != nil, let (request, transaction) = makeSubscribe(expires: 0, authorization: nil, now: now) else {
            phase = .idle
            return []
        }
        phase = .unsubscribing(transaction)
        return [.send(request)]
    }

    /// Timers: call when `now >= nextDeadline`.
    public mutating func timeout(now: ContinuousClock.Instant) -> [SubscriptionAction] {
        switch phase {
        case .idle:
            return []
        case .waiting(let until):
            return now >= until ? subscribeAfresh(now: now) : []
        case .active(let refreshAt):
            guard now >= refreshAt else { return [] }
            guard dialog != nil, let (request, transaction) = makeSubscribe(expires: requestedExpires, authorization: nil, now: now) else {
                return subscribeAfresh(now: now)
            }
            phase = .refreshing(transaction)
            return [.send(request)]
        case .unsubscribing(var transaction):
            let (retransmit, timedOut) = transaction.fire(now: now)
            phase = timedOut ? .idle : .unsubscribing(transaction)
            return retransmit ? [.send(transaction.request)] : []
        case .subscribing(var transaction), .refreshing(var transaction):
            let refreshing = if case .refreshing = phase { true } else { false }
            let (retransmit, timedOut) = transaction.fire(now: now)
            if timedOut {
                dialog = nil
                return retryLater(now: now, why: "no answer from the SIP server to SUBSCRIBE within \(ClientTransaction.timeoutF.components.seconds) s")
            }
            phase = refreshing ? .refreshing(transaction) : .subscribing(transaction)
            return retransmit ? [.send(transaction.request)] : []
        }
    }

    /// A message from the server that `owns(_:)` this subscription.
    public mutating func receive(_ message: SIPMessage, now: ContinuousClock.Instant) -> [SubscriptionAction] {
        if message.statusCode != nil { return handleResponse(message, now: now) }
        if message.method?.uppercased() == "NOTIFY" { return handleNotify(message, now: now) }
        return SIPResponder.responseToStray(message).map { [.send($0)] } ?? []
    }

    // MARK: - Requests

    private mutating func subscribeAfresh(now: ContinuousClock.Instant) -> [SubscriptionAction] {
        callID = ids.hex(24) + "@callpop"
        localTag = ids.hex(12)
        cseq = UInt32(ids.hex(4), radix: 16).map { $0 % 1000 + 1 } ?? 1
        dialog = nil
        authAttempts = 0
        requestedExpires = settings.expires
        tracker.subscriptionRestarted()
        guard let (request, transaction) = makeSubscribe(expires: requestedExpires, authorization: nil, now: now) else { return [] }
        phase = .subscribing(transaction)
        return [
            .report(SourceReport(.info, "subscribing to the calls of \(settings.watched.raw) as \(settings.username)", connection: .connecting)),
            .send(request),
        ]
    }

    /// Builds the next SUBSCRIBE (in the dialog when there is one) and its transaction.
    private mutating func makeSubscribe(expires: Int, authorization: SIPHeader?, now: ContinuousClock.Instant) -> (SIPMessage, ClientTransaction)? {
        guard let local else { return nil }
        cseq &+= 1
        let branch = ids.branch()
        let requestURI = dialog?.remoteTarget ?? settings.watched.raw
        var headers = [
            SIPHeader("Via", "SIP/2.0/\(local.transport.viaToken) \(local.hostPort);rport;branch=\(branch)"),
            SIPHeader("Max-Forwards", "70"),
        ]
        headers += (dialog?.routeSet ?? []).map { SIPHeader("Route", $0) }
        let toTag = dialog.map { ";tag=\($0.remoteTag)" } ?? ""
        let transportParameter = local.transport == .udp ? "" : ";transport=\(local.transport.rawValue)"
        headers += [
            SIPHeader("From", "<\(settings.account.raw)>;tag=\(localTag)"),
            SIPHeader("To", "<\(settings.watched.raw)>\(toTag)"),
            SIPHeader("Call-ID", callID),
            SIPHeader("CSeq", "\(cseq) SUBSCRIBE"),
            SIPHeader("Contact", "<sip:\(settings.account.user.isEmpty ? "" : "\(Self.escapeUser(settings.account.user))@")\(local.hostPort)\(transportParameter)>"),
            SIPHeader("Event", "dialog"),
            SIPHeader("Accept", "application/dialog-info+xml"),
            SIPHeader("Expires", "\(expires)"),
            SIPHeader("User-Agent", settings.userAgent),
        ]
        if let authorization { headers.append(authorization) }
        let request = SIPMessage(startLine: .request(method: "SUBSCRIBE", uri: requestURI), headers: headers)
        let transaction = ClientTransaction(request: request, branch: branch, method: "SUBSCRIBE", reliable: local.transport.isReliable, now: now)
        return (request, transaction)
    }

    private static func escapeUser(_ user: String) -> String {
        user.unicodeScalars.map { scalar in
            let allowed = scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || "-_.!~*'()&=+$,;?/".unicodeScalars.contains(scalar))
            return allowed ? String(scalar) : scalar.utf8Escaped
        }.joined()
    }

    // MARK: - Responses

    private mutating func handleResponse(_ response: SIPMessage, now: ContinuousClock.Instant) -> [SubscriptionAction] {
        let transaction: ClientTransaction
        let refreshing: Bool
        switch phase {
        case .subscribing(let current): transaction = current; refreshing = false
        case .refreshing(let current): transaction = current; refreshing = true
        case .unsubscribing(let current): return handleGoodbyeResponse(response, to: current, now: now)
        default: return []
        }
        guard transaction.matches(response), let code = response.statusCode else { return [] }
        switch code {
        case 100..<200:
            var updated = transaction
            updated.gotProvisional(now: now)
            phase = refreshing ? .refreshing(updated) : .subscribing(updated)
            return []
        case 200..<300:
            return subscribed(response, wasRefresh: refreshing, now: now)
        case 401, 407:
            return answerChallenge(response, to: transaction, refreshing: refreshing, now: now)
        case 423:
            if let minimum = response.header("Min-Expires").flatMap({ Int($0) }), minimum > requestedExpires, minimum <= 86400 {
                requestedExpires = minimum
                return resend(transaction, authorization: nil, refreshing: refreshing, now: now)
            }
            return retryLater(now: now, why: "the SIP server refused the subscription duration (423)")
        case 481:
            dialog = nil
            return retryLater(now: now, why: "the SIP server forgot the subscription (481 on refresh)")
        case 403, 404, 405, 489, 501, 603, 604:
            dialog = nil
            return configurationFault(now: now, why: "the SIP server refused to report the calls of \(settings.watched.raw): \(code) \(reason(of: response))")
        default:
            dialog = nil
            let retryAfter = response.header("Retry-After").flatMap { Int($0.prefix(while: \.isNumber)) }.map { Duration.seconds($0) }
            return retryLater(now: now, why: "the SIP server answered SUBSCRIBE with \(code) \(reason(of: response))", atLeast: retryAfter)
        }
    }

    private mutating func subscribed(_ response: SIPMessage, wasRefresh: Bool, now: ContinuousClock.Instant) -> [SubscriptionAction] {
        let granted = response.header("Expires").flatMap { Int($0) } ?? requestedExpires
        if dialog == nil {
            dialog = SubscriptionDialog.fromResponse(response, callID: callID, localTag: localTag, fallbackTarget: settings.watched.raw)
        }
        guard granted > 0 else {
            dialog = nil
            return retryLater(now: now, why: "the SIP server accepted the subscription with Expires: 0")
        }
        failures = 0
        authAttempts = 0
        phase = .active(refreshAt: now + Self.refreshDelay(granted))
        if wasRefresh { return [] }
        return [.report(SourceReport(.info, "subscribed to the calls of \(settings.watched.raw) for \(granted) s", connection: .connected))]
    }

    private mutating func answerChallenge(_ response: SIPMessage, to transaction: ClientTransaction, refreshing: Bool, now: ContinuousClock.Instant) -> [SubscriptionAction] {
        switch digestAnswer(to: response, for: transaction) {
        case .failure(let why):
            dialog = nil
            return configurationFault(now: now, why: why.detail)
        case .success(let authorization):
            return resend(transaction, authorization: authorization, refreshing: refreshing, now: now)
        }
    }

    /// The un-SUBSCRIBE's answer ends the goodbye; a challenge is answered once, like any SUBSCRIBE.
    private mutating func handleGoodbyeResponse(_ response: SIPMessage, to transaction: ClientTransaction, now: ContinuousClock.Instant) -> [SubscriptionAction] {
        guard transaction.matches(response), let code = response.statusCode, code >= 200 else { return [] }
        if code == 401 || code == 407, case .success(let authorization) = digestAnswer(to: response, for: transaction),
           let (request, next) = makeSubscribe(expires: 0, authorization: authorization, now: now) {
            phase = .unsubscribing(next)
            return [.send(request)]
        }
        phase = .idle
        return []
    }

    /// The `Authorization` (or `Proxy-Authorization`) answering a 401/407, or why there is none.
    private mutating func digestAnswer(to response: SIPMessage, for transaction: ClientTransaction) -> Result<SIPHeader, SIPError> {
        let proxy = response.statusCode == 407
        let challengeHeader = proxy ? "Proxy-Authenticate" : "WWW-Authenticate"
        let answerHeader = proxy ? "Proxy-Authorization" : "Authorization"
        let challenges = response.headerValues(challengeHeader).compactMap(DigestChallenge.init(headerValue:))
        // RFC 7616 3.7: prefer the strongest algorithm offered.
        guard let challenge = challenges.first(where: { $0.algorithm == .sha256 || $0.algorithm == .sha256Session }) ?? challenges.first else {
            return .failure(SIPError(.invalidSetting, "the SIP server asks for an authentication scheme callpop does not support (\(response.statusCode ?? 0))", key: "pbx.username"))
        }
        let sentCredentials = transaction.request.header(answerHeader) != nil
        if (sentCredentials && !challenge.stale) || authAttempts >= 3 {
            return .failure(SIPError(
                .invalidSetting,
                "the SIP server rejected the credentials of user '\(settings.username)' (realm \"\(UntrustedText.clean(challenge.realm, for: .logLine))\"): check username and password",
                key: "pbx.password_file"))
        }
        authAttempts += 1
        let count = (nonceCounts[challenge.nonce] ?? 0) + 1
        nonceCounts = [challenge.nonce: count]
        let uri: String
        if case .request(_, let requestURI) = transaction.request.startLine { uri = requestURI } else { uri = settings.watched.raw }
        let value = DigestResponse.authorization(
            challenge: challenge, method: "SUBSCRIBE", uri: uri, username: settings.username,
            password: settings.password.value, nonceCount: count, cnonce: ids.hex(16))
        return .success(SIPHeader(answerHeader, value))
    }

    private mutating func resend(_ transaction: ClientTransaction, authorization: SIPHeader?, refreshing: Bool, now: ContinuousClock.Instant) -> [SubscriptionAction] {
        guard let (request, next) = makeSubscribe(expires: requestedExpires, authorization: authorization, now: now) else { return [] }
        phase = refreshing ? .refreshing(next) : .subscribing(next)
        return [.send(request)]
    }

    // MARK: - NOTIFY

    private mutating func handleNotify(_ notify: SIPMessage, now: ContinuousClock.Instant) -> [SubscriptionAction] {
        let to = notify.header("To").flatMap(SIPAddress.init)
        let from = notify.header("From").flatMap(SIPAddress.init)
        guard owns(notify), to?.tag == localTag, let remoteTag = from?.tag else {
            return [.send(SIPResponder.response(to: notify, status: 481, reason: "Subscription Does Not Exist"))]
        }
        if let dialog, dialog.remoteTag != remoteTag {
            // A second notifier after forking: this client keeps one dialog.
            return [.send(SIPResponder.response(to: notify, status: 481, reason: "Subscription Does Not Exist"))]
        }
        if dialog == nil {
            guard case .subscribing = phase,
                  let created = SubscriptionDialog.fromNotify(notify, callID: callID, localTag: localTag, fallbackTarget: settings.watched.raw) else {
                return [.send(SIPResponder.response(to: notify, status: 481, reason: "Subscription Does Not Exist"))]
            }
            dialog = created
        }
        guard var current = dialog, let cseq = notify.cseq?.number else {
            return [.send(SIPResponder.response(to: notify, status: 400, reason: "Bad Request"))]
        }
        let ok = SIPResponder.response(to: notify, status: 200, reason: "OK")
        if let last = current.remoteCSeq {
            if cseq == last { return [.send(ok)] }  // a retransmission: our 200 was lost
            if cseq < last { return [.send(SIPResponder.response(to: notify, status: 500, reason: "Server Internal Error"))] }
        }
        let event = notify.header("Event").map { SIPText.trim($0.prefix(while: { $0 != ";" })).lowercased() }
        guard event == "dialog" else {
            return [.send(SIPResponder.response(to: notify, status: 489, reason: "Bad Event", extraHeaders: [SIPHeader("Allow-Events", "dialog")]))]
        }
        current.remoteCSeq = cseq
        if let target = SubscriptionDialog.contactURI(notify) { current.remoteTarget = target }
        dialog = current

        var actions: [SubscriptionAction] = [.send(ok)]
        let contentType = notify.header("Content-Type").map { SIPText.trim($0.prefix(while: { $0 != ";" })).lowercased() }
        if notify.body.isEmpty || contentType == nil || contentType == "application/dialog-info+xml" {
            do {
                actions += try tracker.apply(notifyBody: notify.body).map(SubscriptionAction.emit)
            } catch {
                // The reason may quote the server's bytes (an element name): clean it for the log.
                actions.append(.report(SourceReport(.warning, "ignored a NOTIFY from the SIP server: \(UntrustedText.clean("\(error)", for: .logLine))")))
            }
        } else {
            actions.append(.report(SourceReport(.warning, "ignored a NOTIFY body of type \(UntrustedText.clean(contentType?.prefix(60) ?? "", for: .logLine))")))
        }
        return actions + subscriptionState(notify, now: now)
    }

    private mutating func subscriptionState(_ notify: SIPMessage, now: ContinuousClock.Instant) -> [SubscriptionAction] {
        guard let value = notify.header("Subscription-State") else { return [] }
        let state = SIPText.trim(value.prefix(while: { $0 != ";" })).lowercased()
        let parameters = SIPText.parameters(value.drop(while: { $0 != ";" }))
        if state == "terminated" {
            dialog = nil
            let reason = parameters["reason"]?.lowercased() ?? ""
            let retryAfter = parameters["retry-after"].flatMap { Int($0) }.map { Duration.seconds($0) }
            switch reason {
            case "deactivated", "timeout", "":
                // RFC 6665 4.2.2: subscribe again at once; repeated terminations back off.
                failures += 1
                let delay = failures <= 1 ? .zero : settings.backoff.delay(afterFailures: failures - 1)
                phase = .waiting(until: now + delay)
                return [.report(SourceReport(.warning, "the SIP server ended the subscription (\(reason.isEmpty ? "no reason" : reason)); subscribing again in \(delay.components.seconds) s", connection: .disconnected))]
            case "probation", "giveup":
                return retryLater(now: now, why: "the SIP server ended the subscription (\(reason))", atLeast: retryAfter)
            default:
                return configurationFault(now: now, why: "the SIP server ended the subscription (\(UntrustedText.clean(reason.prefix(40), for: .logLine)))")
            }
        }
        if case .active = phase, let expires = parameters["expires"].flatMap({ Int($0) }), expires > 0 {
            phase = .active(refreshAt: now + Self.refreshDelay(expires))
        }
        return []
    }

    // MARK: - Failures

    private mutating func retryLater(now: ContinuousClock.Instant, why: String, atLeast minimum: Duration? = nil) -> [SubscriptionAction] {
        failures += 1
        let delay = min(max(settings.backoff.delay(afterFailures: failures), minimum ?? .zero), settings.backoff.configurationFault)
        phase = .waiting(until: now + delay)
        return [.report(SourceReport(.warning, "\(why); subscribing again in \(delay.components.seconds) s", connection: .disconnected))]
    }

    private mutating func configurationFault(now: ContinuousClock.Instant, why: String) -> [SubscriptionAction] {
        failures += 1
        let delay = settings.backoff.configurationFault
        phase = .waiting(until: now + delay)
        return [.report(SourceReport(.error, "\(why); next attempt in \(delay.components.seconds / 60) min", connection: .failed))]
    }

    /// Refresh well before expiry, leaving room for a full transaction timeout (32 s).
    static func refreshDelay(_ expires: Int) -> Duration {
        let milliseconds = expires * 1000
        return .milliseconds(max(1000, max(milliseconds / 2, milliseconds - 60_000)))
    }

    private func reason(of response: SIPMessage) -> String {
        if case .response(_, let reason) = response.startLine { return String(reason.prefix(60)) }
        return ""
    }
}

extension Unicode.Scalar {
    /// `%XX` escapes of the scalar's UTF-8 bytes.
    fileprivate var utf8Escaped: String {
        String(self).utf8.map { byte in
            let digits = Array("0123456789ABCDEF")
            return "%" + String([digits[Int(byte >> 4)], digits[Int(byte & 0x0f)]])
        }.joined()
    }
}
