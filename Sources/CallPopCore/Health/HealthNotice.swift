/// What the desktop is told when something stops call popups, or starts them again: one
/// notification with what is wrong and what to do. Text only; the notifier renders it.
public struct HealthNotice: Sendable, Hashable {
    /// What the notice is about; a recovery names the topic it ends.
    public enum Topic: String, Sendable, Hashable, CaseIterable {
        /// The PBX cannot be reached (network, address, PBX down).
        case pbx
        /// The PBX refused the login or the subscription: the same settings are refused again.
        case login
        /// The call source gave out for good (an event file at its end, a FIFO gone).
        case source
        /// The configuration has errors (at start, or a reload that was refused).
        case configuration
        /// The notification server cannot show what callpop offers.
        case notifications
    }

    /// A problem, or the end of one.
    public enum Severity: String, Sendable, Hashable {
        /// Popups do not work (or not fully) until the user or the PBX mends it.
        case problem
        /// The problem is over.
        case recovered
    }

    /// What the notice is about.
    public var topic: Topic
    /// A problem or its end.
    public var severity: Severity
    /// One line: what happened.
    public var summary: String
    /// What is wrong in detail and what to do.
    public var body: String

    /// Creates a notice.
    public init(topic: Topic, severity: Severity, summary: String, body: String) {
        self.topic = topic
        self.severity = severity
        self.summary = summary
        self.body = body
    }
}

extension HealthNotice {
    /// The agent did not start: `reason` (the first configuration error, a missing `[pbx]`).
    public static func notStarted(_ reason: String, fix: String) -> HealthNotice {
        HealthNotice(topic: .configuration, severity: .problem, summary: "callpop did not start", body: "\(reason)\n\(fix)")
    }

    /// A reload was refused; the previous configuration stays in force.
    public static func reloadRefused(errorCount: Int, first: String) -> HealthNotice {
        HealthNotice(
            topic: .configuration, severity: .problem, summary: "callpop kept its previous configuration",
            body: "The changed configuration has \(errorCount) error\(errorCount == 1 ? "" : "s"), the first: \(first)\n"
                + "Fix it (callpop check shows all), then reload again.")
    }
}
