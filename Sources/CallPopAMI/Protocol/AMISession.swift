public import CallPopCore
import CallPopHashing

/// The AMI protocol as a pure state machine, in the style of swift-nio's
/// `…StateMachine`s: the I/O layer feeds it what happened (connected, bytes,
/// a deadline passed, shutdown) and executes the `Action`s it returns. It owns
/// no socket and reads no clock, so every path is testable without a network.
///
/// One session lives across reconnections: the call mapper inside keeps what
/// it knows about calls, so the `CoreShowChannels` resynchronisation after a
/// reconnect repeats nothing and misses no ringing call.
///
/// Life of a connection: banner → `Challenge` (MD5) or plain `Login` with
/// `Events: call` → `CoreShowChannels` (resynchronise) and a `Filter` for the user's
/// devices (`AMIEventSubscription`) → events, with `Ping` when the line has been quiet
/// for `keepaliveInterval` → `Logoff` on shutdown.
public struct AMISession: Sendable {
    /// What the I/O layer must do.
    public enum Action: Sendable, Hashable {
        /// Write these bytes to the connection.
        case send([UInt8])
        /// Deliver this call change.
        case emit(CallEvent)
        /// Deliver this notice.
        case report(SourceReport)
        /// Close the connection, for this reason.
        case close(End)
    }

    /// Why the session asks to close the connection.
    public enum End: Sendable, Hashable {
        /// The PBX refused the credentials; retrying soon will not help.
        case loginRejected(String)
        /// The PBX stopped answering (no banner, login answer or `Ping` reply in time).
        case stalled(String)
        /// The `Logoff` completed (or timed out) after a shutdown request.
        case loggedOff
        /// The PBX ended the session (`Response: Goodbye` without our `Logoff`).
        case closedByPeer
    }

    /// Session settings.
    public struct Configuration: Sendable {
        /// The AMI user name (`[name]` section of `manager.conf`).
        public var username: String
        /// The secret. Only ever written to the connection, never to a report.
        public var secret: String
        /// How to log in.
        public var login: AMILoginMethod
        /// Send a `Ping` after this long without receiving anything.
        public var keepaliveInterval: Duration
        /// Give up on a banner, login answer or `Ping` reply after this long.
        public var responseTimeout: Duration
        /// Ask the PBX to send only call events about the user's devices (`AMIEventSubscription`);
        /// off: every event the AMI user may read.
        public var filterEvents: Bool
        /// Ask for `DeviceStateList` after the resynchronisation and report the user's devices
        /// the PBX names (`callpop doctor`: "the extension is seen"). The `Filter` is left out
        /// then: it passes the user's channels, not the `DeviceStateChange` of the device.
        public var listDevices: Bool

        /// Creates settings.
        public init(
            username: String, secret: String, login: AMILoginMethod = .challenge,
            keepaliveInterval: Duration = .seconds(20), responseTimeout: Duration = .seconds(10), filterEvents: Bool = true,
            listDevices: Bool = false
        ) {
            self.username = username
            self.secret = secret
            self.login = login
            self.keepaliveInterval = keepaliveInterval
            self.responseTimeout = responseTimeout
            self.filterEvents = filterEvents
            self.listDevices = listDevices
        }
    }

    private enum Phase: Sendable, Hashable {
        case disconnected
        case awaitingBanner
        case awaitingChallenge(String)
        case awaitingLogin(String)
        case resyncing(String)
        case running
        case loggingOff(String)
    }

    /// The most `CoreShowChannel` entries kept for one resynchronisation.
    static let maxSnapshotEntries = 4096

    /// The events the session acts on: the mapper's and the resynchronisation's. The framer
    /// skips all others (most of what Asterisk sends) without parsing them.
    public static let wantedEvents = AMICallMapper.eventNames + ["CoreShowChannel", "CoreShowChannelsComplete"]
    public static let eventFilter = AMIEventFilter(passing: wantedEvents)
    /// With `listDevices`, the device states too.
    static let deviceListFilter = AMIEventFilter(passing: wantedEvents + ["DeviceStateChange"])

    private let configuration: Configuration
    private var mapper: AMICallMapper
    private let subscription: AMIEventSubscription
    private var framer: AMIFramer
    private var phase = Phase.disconnected
    private var nextActionNumber = 0
    private var snapshot: [AMIMessage] = []
    private var phaseDeadline: ContinuousClock.Instant?
    private var lastReceived: ContinuousClock.Instant?
    private var pendingPing: (id: String, deadline: ContinuousClock.Instant)?
    /// Garbage warnings: a few per minute, the rest counted (the limiter every source shares).
    private var warnings = WarningLimiter<String>()
    /// The `Filter` action awaiting its answer on this connection.
    private var pendingFilter: String?
    /// Click-to-dial Originates sent on this session, followed to their outcome.
    private var originates = AMIOriginateTracker()
    private var originateOutcomes: [AMIOriginateOutcome] = []
    private var nextDialNumber = 0
    /// The user's devices reported so far (with `listDevices`).
    private var devicesSeen: Set<String> = []

    /// Creates a session that maps calls with `mapper`.
    public init(configuration: Configuration, mapper: AMICallMapper) {
        self.configuration = configuration
        self.mapper = mapper
        self.subscription = AMIEventSubscription(devices: mapper.matcher.devices)
        framer = AMIFramer(events: configuration.listDevices ? Self.deviceListFilter : Self.eventFilter)
    }

    /// Whether the `Filter` action is sent (see `listDevices`).
    private var filtersEvents: Bool { configuration.filterEvents && !configuration.listDevices }

    /// `true` once logged in on the current connection.
    public var isLoggedIn: Bool {
        switch phase {
        case .resyncing, .running, .loggingOff: true
        default: false
        }
    }

    /// When `deadlinePassed` must be called next, or `nil` for no deadline.
    /// The I/O layer waits for input at most until then.
    public var nextDeadline: ContinuousClock.Instant? {
        [protocolDeadline, originates.nextDeadline].compactMap { $0 }.min()
    }

    private var protocolDeadline: ContinuousClock.Instant? {
        switch phase {
        case .disconnected: return nil
        case .resyncing, .running:
            if let pendingPing { return pendingPing.deadline }
            return lastReceived.map { $0 + configuration.keepaliveInterval }
        default: return phaseDeadline
        }
    }

    /// The `Events:` header of the login.
    private var eventMask: String { configuration.filterEvents ? AMIEventSubscription.eventMask : "on" }

    /// A new connection is open: wait for the banner.
    public mutating func connected(at now: ContinuousClock.Instant) -> [Action] {
        framer = AMIFramer(events: configuration.listDevices ? Self.deviceListFilter : Self.eventFilter)
        phase = .awaitingBanner
        phaseDeadline = now + configuration.responseTimeout
        lastReceived = now
        pendingPing = nil
        snapshot = []
        pendingFilter = nil
        return []
    }

    /// The connection is gone (closed by either side): forget its protocol state, keep the calls.
    public mutating func disconnected() {
        originateOutcomes += originates.connectionLost()
        phase = .disconnected
        phaseDeadline = nil
        pendingPing = nil
        pendingFilter = nil
        snapshot = []
    }

    /// Bytes arrived from the PBX.
    public mutating func received(_ bytes: some Sequence<UInt8>, at now: ContinuousClock.Instant) -> [Action] {
        guard phase != .disconnected else { return [] }
        lastReceived = now
        var actions: [Action] = []
        for output in framer.feed(bytes) {
            switch output {
            case .banner: actions += bannerReceived(at: now)
            case .message(let message):
                handle(message, at: now, into: &actions)
                if originates.pendingCount > 0 { originateOutcomes += originates.handle(message, at: now) }
            case .garbage(let garbage): actions += garbageReceived(garbage, at: now)
            }
            if actions.contains(where: { if case .close = $0 { true } else { false } }) { break }
        }
        return actions
    }

    /// When the count of suppressed garbage warnings is due (`warningSummaries`), if any.
    public var nextWarningSummary: ContinuousClock.Instant? { warnings.nextSummary }

    /// The counts of garbage warnings suppressed in windows that have ended.
    public mutating func warningSummaries(at now: ContinuousClock.Instant) -> [Action] {
        warnings.endedWindows(at: now).map { .report(SourceReport(.warning, "AMI: " + warnings.summary($0, name: "the PBX"))) }
    }

    /// `nextDeadline` has passed: ping, or give up on a silent PBX.
    public mutating func deadlinePassed(at now: ContinuousClock.Instant) -> [Action] {
        if let due = originates.nextDeadline, now >= due { originateOutcomes += originates.deadlinePassed(at: now) }
        guard let deadline = protocolDeadline, now >= deadline else { return [] }
        switch phase {
        case .disconnected:
            return []
        case .awaitingBanner:
            return [.close(.stalled("no AMI banner within \(configuration.responseTimeout) of connecting; is this an AMI port?"))]
        case .awaitingChallenge, .awaitingLogin:
            return [.close(.stalled("no answer to the login within \(configuration.responseTimeout)"))]
        case .loggingOff:
            return [.close(.loggedOff)]
        case .resyncing, .running:
            if pendingPing != nil {
                return [.close(.stalled("no answer to Ping within \(configuration.responseTimeout); the connection is stalled"))]
            }
            let id = makeActionID()
            pendingPing = (id, now + configuration.responseTimeout)
            return [.send(AMIAction.encode(["Action": "Ping", "ActionID": id]))]
        }
    }

    /// The source is stopping: log off politely (or just close when not logged in).
    public mutating func shutdown(at now: ContinuousClock.Instant) -> [Action] {
        guard isLoggedIn else { return [.close(.loggedOff)] }
        let id = makeActionID()
        phase = .loggingOff(id)
        phaseDeadline = now + .seconds(2)
        return [.send(AMIAction.encode(["Action": "Logoff", "ActionID": id]))]
    }

    // MARK: - Click-to-dial

    /// Sends a click-to-dial `Originate` of `device` into `context`,`exten` on this
    /// connection, with the next `callpop-dial-N` ActionID; its outcome comes out of
    /// `takeOriginateOutcomes()`. Refused (an outcome at once) unless logged in.
    public mutating func originate(
        device: String, context: String, exten: String, callerID: String?, timeout: Duration, channelID: String?,
        at now: ContinuousClock.Instant
    ) throws(AMIError) -> (actionID: String, actions: [Action]) {
        nextDialNumber += 1
        let originate = try AMIOriginate(
            actionID: AMIOriginate.actionID(nextDialNumber), channel: device, context: context, exten: exten,
            callerID: callerID, timeout: timeout, channelID: channelID)
        let loggingOff = if case .loggingOff = phase { true } else { false }
        guard isLoggedIn, !loggingOff else {
            originateOutcomes.append(AMIOriginateOutcome(
                actionID: originate.actionID, result: .notConnected, exten: exten, device: device))
            return (originate.actionID, [])
        }
        originateOutcomes += originates.sent(originate, at: now)
        return (originate.actionID, [.send(originate.bytes)])
    }

    /// The outcomes of Originates settled since the last call.
    public mutating func takeOriginateOutcomes() -> [AMIOriginateOutcome] {
        defer { originateOutcomes = [] }
        return originateOutcomes
    }

    // MARK: - Input

    private mutating func bannerReceived(at now: ContinuousClock.Instant) -> [Action] {
        guard phase == .awaitingBanner else { return [] }
        let id = makeActionID()
        phaseDeadline = now + configuration.responseTimeout
        switch configuration.login {
        case .challenge:
            phase = .awaitingChallenge(id)
            return [.send(AMIAction.encode(["Action": "Challenge", "ActionID": id, "AuthType": "MD5"]))]
        case .plain:
            phase = .awaitingLogin(id)
            return [.send(AMIAction.encode([
                "Action": "Login", "ActionID": id, "Username": configuration.username,
                "Secret": configuration.secret, "Events": eventMask,
            ]))]
        }
    }

    /// Appends what `message` calls for to `actions` (appended, not returned: most messages
    /// call for nothing, and a returned array per message cost more than the mapping).
    private mutating func handle(_ message: AMIMessage, at now: ContinuousClock.Instant, into actions: inout [Action]) {
        // Asterisk starts every event with its `Event` line: no need to look for a `Response` in it.
        if !message.startsWithEvent, let response = message.response {
            actions += handleResponse(response, message, at: now)
            return
        }
        guard isLoggedIn else { return }
        if case .resyncing = phase, let event = message.event {
            if event.caseInsensitiveEquals("CoreShowChannel") {
                if snapshot.count < Self.maxSnapshotEntries { snapshot.append(message) }
                return
            }
            if event.caseInsensitiveEquals("CoreShowChannelsComplete") {
                let events = mapper.resync(snapshot)
                let count = snapshot.count
                snapshot = []
                phase = .running
                actions.append(.report(SourceReport(.info, "resynchronised with CoreShowChannels (\(count) channels)")))
                actions += events.map(Action.emit) + listDevices()
                return
            }
        }
        actions += deviceSeen(message)
        for event in mapper.handle(message) { actions.append(.emit(event)) }
    }

    /// `DeviceStateList`, when the settings ask for the user's devices.
    private mutating func listDevices() -> [Action] {
        guard configuration.listDevices else { return [] }
        return [.send(AMIAction.encode(["Action": "DeviceStateList", "ActionID": makeActionID()]))]
    }

    /// A report the first time a `DeviceStateChange` (listed or live) names one of the user's devices.
    private mutating func deviceSeen(_ message: AMIMessage) -> [Action] {
        guard configuration.listDevices, message.event?.caseInsensitiveEquals("DeviceStateChange") == true,
              let device = message["Device"],
              mapper.matcher.devices.contains(where: { $0.caseInsensitiveEquals(device) }),
              devicesSeen.insert(device.lowercased()).inserted
        else { return [] }
        let name = AMIText.clean(device)
        let state = AMIText.clean(message["State"])
        return [.report(SourceReport(.info, "the PBX knows device \(name) (\(state.isEmpty ? "state unknown" : state))", deviceSeen: name))]
    }

    private mutating func handleResponse(_ status: String, _ message: AMIMessage, at now: ContinuousClock.Instant) -> [Action] {
        let success = status.caseInsensitiveEquals("Success")
        let reason = AMIText.clean(message["Message"])
        let id = message.actionID
        if let pendingFilter, id == pendingFilter {
            self.pendingFilter = nil
            // Refused is the usual answer: `Filter` needs the `system` write permission, which a
            // least-privilege agent account does not have (its filters are in manager.conf).
            return [.report(SourceReport(.info, success
                ? "the PBX sends this agent only the call events of its devices (AMI Filter)"
                : "the PBX did not take callpop's AMI Filter (\(reason.isEmpty ? status : reason)); "
                    + "without eventfilter lines in manager.conf every call of the PBX reaches this agent (docs/scaling.md)"))]
        }
        switch phase {
        case .awaitingChallenge(let expected) where id == nil || id == expected:
            guard success, let challenge = message["Challenge"], !challenge.isEmpty else {
                return [.close(.loginRejected("the PBX refused the MD5 challenge: \(reason)"))]
            }
            let loginID = makeActionID()
            phase = .awaitingLogin(loginID)
            phaseDeadline = now + configuration.responseTimeout
            return [.send(AMIAction.encode([
                "Action": "Login", "ActionID": loginID, "Username": configuration.username, "AuthType": "MD5",
                "Key": MD5.hex(challenge + configuration.secret), "Events": eventMask,
            ]))]
        case .awaitingLogin(let expected) where id == nil || id == expected:
            guard success else {
                let user = AMIText.clean(configuration.username)
                return [.close(.loginRejected(
                    "the PBX refused the login of AMI user \"\(user)\" (\(reason.isEmpty ? status : reason)); check username and secret in manager.conf"))]
            }
            let resyncID = makeActionID()
            phase = .resyncing(resyncID)
            snapshot = []
            mapper.beginResync()
            var actions: [Action] = [
                .report(SourceReport(.info, "logged in to AMI as \"\(AMIText.clean(configuration.username))\"", connection: .connected)),
                .send(AMIAction.encode(["Action": "CoreShowChannels", "ActionID": resyncID])),
            ]
            if filtersEvents, let filter = subscription.filter {
                let filterID = makeActionID()
                pendingFilter = filterID
                actions.append(.send(AMIAction.encode(["Action": "Filter", "ActionID": filterID, "Operation": "Add", "Filter": filter])))
            }
            return actions
        case .resyncing(let expected) where id == expected && !success:
            phase = .running
            return [.report(SourceReport(.warning, "CoreShowChannels refused (\(reason)); calls in progress are not resynchronised"))]
                + listDevices()
        case .loggingOff(let expected) where id == nil || id == expected:
            return [.close(.loggedOff)]
        default:
            if let pendingPing, id == pendingPing.id {
                self.pendingPing = nil
            } else if status.caseInsensitiveEquals("Goodbye") {
                return [.close(.closedByPeer)]
            }
            return []
        }
    }

    private mutating func garbageReceived(_ garbage: AMIGarbage, at now: ContinuousClock.Instant) -> [Action] {
        switch warnings.admit("PBX", at: now) {
        case .report: [.report(SourceReport(.warning, "AMI: \(garbage)"))]
        case .lastBeforeQuiet: [.report(SourceReport(.warning, "AMI: \(garbage)" + warnings.quietNotice))]
        case .suppress: []
        }
    }

    private mutating func makeActionID() -> String {
        nextActionNumber += 1
        return "callpop-\(nextActionNumber)"
    }
}

/// How the client proves its identity.
public enum AMILoginMethod: String, Sendable, Hashable, CaseIterable {
    /// `Action: Challenge`, then `Key: md5(challenge + secret)`: the secret never crosses the network.
    case challenge
    /// `Secret:` in clear (only sensible over `amis://` or on a trusted network).
    case plain
}
