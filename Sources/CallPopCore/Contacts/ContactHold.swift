/// Call changes held back while the call's caller lookup is under way, for observers that
/// need the contact in every change they see (callbacks that use `{CONTACTNAME}`): the
/// changes are released in order, each with the contact, once the lookup has settled — so
/// a call that rings and ends within the budget still reports both, with the name.
/// Bounded: a few changes per call and a few dozen calls; beyond that the oldest go.
public struct ContactHold: Sendable {
    /// The most calls held at once.
    public static let maximumCalls = 64
    /// The most changes held per call.
    public static let maximumChanges = 16

    private var held: [String: [TrackedCall]] = [:]
    private var order: [String] = []

    /// Creates an empty hold.
    public init() {}

    /// Whether changes of call `id` are held.
    public func isHolding(_ id: String) -> Bool { held[id] != nil }

    /// The changes to pass on after `call` changed, in order: none while its lookup waits
    /// (the change is held), else the held ones — now with the settled contact — and `call`.
    public mutating func pass(_ call: TrackedCall) -> [TrackedCall] {
        let id = call.event.callID
        if call.lookup.isWaiting {
            if held[id] == nil {
                order.append(id)
                if order.count > Self.maximumCalls { held[order.removeFirst()] = nil }
            }
            held[id, default: []].append(call)
            if held[id, default: []].count > Self.maximumChanges { held[id]?.removeFirst() }
            return []
        }
        guard let earlier = held.removeValue(forKey: id) else { return [call] }
        order.removeAll { $0 == id }
        return earlier.map { change in
            var change = change
            change.contact = call.contact
            change.lookup = call.lookup
            return change
        } + [call]
    }
}
