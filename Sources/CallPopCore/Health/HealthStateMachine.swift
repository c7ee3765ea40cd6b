/// Decides when the user hears that call popups stopped, and when they work again.
/// Pure: the runtime feeds it what the source reports, reload outcomes and the clock, and
/// executes the actions it returns (a desktop notification, systemd's readiness and status).
///
/// One notice per problem, not one per retry: a lost PBX connection is shown once it has
/// lasted `grace` (a short blip, a PBX restart, goes unseen), a refused login or a failed
/// source at once; the end of a problem that was shown is shown once too.
public struct HealthStateMachine: Sendable {
    /// What the runtime must do.
    public enum Action: Sendable, Hashable {
        /// Show this notice on the desktop (it replaces the previous health notice).
        case show(HealthNotice)
        /// Tell systemd the agent is ready (`READY=1`): the PBX session is up. Once.
        case ready
        /// Tell systemd what the agent is doing (`STATUS=`).
        case status(String)
    }

    /// How long the PBX may be unreachable before the user is told.
    public let grace: Duration
    /// The source's name (`ami`, `sip`, `events:/path`), for the texts.
    public let sourceName: String

    private var connected = false
    private var everConnected = false
    /// When the current outage began, while the PBX is not reachable.
    private var outageSince: ContinuousClock.Instant?
    /// The latest reason the source gave for not being connected.
    private var lastReason = ""
    /// Problems the user was told about and not yet told the end of.
    private var shown: Set<HealthNotice.Topic> = []
    private var lastStatus = ""

    /// A machine for the agent's source, started at `now`.
    public init(sourceName: String, grace: Duration = .seconds(30), now: ContinuousClock.Instant) {
        self.sourceName = sourceName
        self.grace = grace
        outageSince = now
        lastReason = "no connection yet"
    }

    /// When `deadlinePassed` must be called next, if at all (idle: never).
    public var nextDeadline: ContinuousClock.Instant? {
        guard let outageSince, !shown.contains(.pbx), !shown.contains(.login), !shown.contains(.source) else { return nil }
        return outageSince + grace
    }

    /// Whether a problem is being shown now.
    public var hasProblem: Bool { !shown.isEmpty }

    // MARK: Inputs

    /// The source reported something.
    public mutating func sourceReported(_ report: SourceReport, at now: ContinuousClock.Instant) -> [Action] {
        guard let state = report.connection else { return [] }
        var actions: [Action] = []
        switch state {
        case .connected:
            connected = true
            outageSince = nil
            for topic in [HealthNotice.Topic.pbx, .login, .source] where shown.remove(topic) != nil {
                actions.append(.show(HealthNotice(
                    topic: topic, severity: .recovered, summary: "callpop is connected again",
                    body: "Call popups work again (\(sourceName): \(report.message)).")))
            }
            actions += status("following calls on \(sourceName)")
            if !everConnected {
                // After the status, so systemd shows what the agent does from the moment it is up.
                everConnected = true
                actions.append(.ready)
            }
        case .connecting, .disconnected:
            if connected || outageSince == nil { outageSince = now }
            connected = false
            if state == .disconnected || lastReason == "no connection yet" { lastReason = Self.reason(report.message) }
            actions += status(everConnected ? "reconnecting to the PBX: \(lastReason)" : "connecting: \(Self.reason(report.message))")
        case .failed:
            // Refused credentials, a subscription the PBX will not take, a source that gave out:
            // retrying will not mend it, so the user hears at once.
            connected = false
            if outageSince == nil { outageSince = now }
            lastReason = Self.reason(report.message)
            let topic: HealthNotice.Topic = sourceName.hasPrefix("events:") ? .source : .login
            if !shown.contains(topic) {
                shown.insert(topic)
                actions.append(.show(failure(topic, lastReason)))
            }
            actions += status("no call popups: \(lastReason)")
        }
        return actions
    }

    /// The clock reached `nextDeadline`.
    public mutating func deadlinePassed(at now: ContinuousClock.Instant) -> [Action] {
        guard let deadline = nextDeadline, now >= deadline else { return [] }
        shown.insert(.pbx)
        let waited = Int((now - (outageSince ?? now)) / .seconds(1))
        return [.show(HealthNotice(
            topic: .pbx, severity: .problem,
            summary: everConnected ? "callpop lost the PBX" : "callpop cannot reach the PBX",
            body: "\(lastReason) (for \(waited) s). No call popups until it is back; callpop keeps trying.\n"
                + "Check the network and [pbx] in your configuration; callpop doctor tells more."))]
            + status("no call popups: PBX unreachable: \(lastReason)")
    }

    /// A reload was refused; `first` is the first error as printed.
    public mutating func reloadRefused(errorCount: Int, first: String) -> [Action] {
        shown.insert(.configuration)
        return [.show(.reloadRefused(errorCount: errorCount, first: first))]
    }

    /// A reload was taken.
    public mutating func reloaded() -> [Action] {
        guard shown.remove(.configuration) != nil else { return [] }
        return [.show(HealthNotice(
            topic: .configuration, severity: .recovered, summary: "callpop reloaded its configuration",
            body: "The corrected configuration is in force."))]
    }

    /// The notification server cannot show buttons (nor links) for the on-click rules.
    public mutating func notificationsLimited(_ detail: String) -> [Action] {
        guard !shown.contains(.notifications) else { return [] }
        shown.insert(.notifications)
        return [.show(HealthNotice(topic: .notifications, severity: .problem, summary: "Call notifications cannot offer your popups", body: detail))]
    }

    // MARK: Internals

    private func failure(_ topic: HealthNotice.Topic, _ reason: String) -> HealthNotice {
        switch topic {
        case .source:
            return HealthNotice(
                topic: .source, severity: .problem, summary: "callpop receives no calls",
                body: "\(reason)\nThen restart callpop (systemctl --user restart callpop).")
        default:
            return HealthNotice(
                topic: .login, severity: .problem, summary: "The PBX refused callpop",
                body: "\(reason)\nCheck username and the password in [pbx] of your configuration, "
                    + "then restart callpop (systemctl --user restart callpop).")
        }
    }

    /// A source's message without its retry schedule, which is stale by the time it is read.
    public static func reason(_ message: String) -> String {
        let markers = ["; reconnecting in ", "; subscribing again in ", "; next attempt in "]
        var index = message.startIndex
        while index < message.endIndex {
            if message[index] == ";", markers.contains(where: { message[index...].hasPrefix($0) }) {
                return String(message[..<index])
            }
            index = message.index(after: index)
        }
        return message
    }

    private mutating func status(_ text: String) -> [Action] {
        guard text != lastStatus else { return [] }
        lastStatus = text
        return [.status(text)]
    }
}
