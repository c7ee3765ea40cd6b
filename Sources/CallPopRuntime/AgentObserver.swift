public import CallPopCore

/// Watches the agent's calls and decisions (the desktop notifier, the D-Bus signal, the
/// history, callbacks) or its source (health).
public protocol AgentObserver: Sendable {
    /// What this observer is told of. The agent calls only these methods, and expands a
    /// call's on-click offers only when an observer asks for `.callsWithOffers`: every call
    /// change passes through each observer, so one that ignores calls must not cost an await
    /// per change.
    var observes: AgentObservations { get }
    /// A call changed; `offers` are its on-click rules, expanded (empty unless `observes`
    /// holds `.callsWithOffers`).
    func callChanged(_ call: TrackedCall, offers: [Decision]) async
    /// A decision was made.
    func decided(_ decision: Decision) async
    /// The source reported on its connection or its input.
    func sourceReported(_ report: SourceReport) async
}

/// An observer implements what it observes; the rest is never called.
extension AgentObserver {
    public func callChanged(_ call: TrackedCall, offers: [Decision]) async {}
    public func decided(_ decision: Decision) async {}
    public func sourceReported(_ report: SourceReport) async {}
}

/// What an `AgentObserver` is told of.
public struct AgentObservations: OptionSet, Sendable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// `callChanged`, with no offers.
    public static let calls = AgentObservations(rawValue: 1 << 0)
    /// `callChanged`, with the call's on-click offers expanded.
    public static let callsWithOffers = AgentObservations(rawValue: 1 << 0 | 1 << 1)
    /// `decided`.
    public static let decisions = AgentObservations(rawValue: 1 << 2)
    /// `sourceReported`.
    public static let reports = AgentObservations(rawValue: 1 << 3)

    /// Whether offers are to be expanded for this observer.
    var wantsOffers: Bool { rawValue & (1 << 1) != 0 }
}

/// The agent's observers, kept apart by what each is told of.
struct AgentObservers {
    /// The observers of calls, each with whether it shows offers.
    private(set) var ofCalls: [(observer: any AgentObserver, offers: Bool)] = []
    private(set) var ofDecisions: [any AgentObserver] = []
    private(set) var ofReports: [any AgentObserver] = []

    mutating func add(_ observer: any AgentObserver) {
        let observes = observer.observes
        if observes.contains(.calls) { ofCalls.append((observer, observes.wantsOffers)) }
        if observes.contains(.decisions) { ofDecisions.append(observer) }
        if observes.contains(.reports) { ofReports.append(observer) }
    }

    /// Tells the observers of calls that `outcome`'s call changed (nothing when it has none);
    /// the offers are expanded once, and only when one of them shows them.
    func callChanged(_ outcome: DecisionEngine.Outcome) async {
        guard let call = outcome.call, !ofCalls.isEmpty else { return }
        let offers = ofCalls.contains(where: \.offers) ? outcome.offers : []
        for (observer, showsOffers) in ofCalls { await observer.callChanged(call, offers: showsOffers ? offers : []) }
    }
}
