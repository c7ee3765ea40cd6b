public import CallPopDirectories
public import CallPopCore
import CallPopConfig
import CallPopLookup

/// Caller lookup in the agent: a new caller is looked up in every directory at once while
/// the rules that do not need the contact are already decided (their popups are not
/// delayed at all); the rules that use it wait for the answer or the budget (`[lookup]
/// budget`), whichever comes first; a late answer updates the notification in place.
extension Agent {
    /// Looks callers up with `service` from now on.
    public func lookUpCallers(with service: CallerLookupService) {
        callerLookup = service
    }

    /// Waits until every lookup under way has its final answer (at the end of an event
    /// file, and for `callpop simulate`, so rules waiting for a contact are decided); the
    /// decisions made meanwhile.
    @discardableResult
    public func waitForLookups() async -> [Decision] {
        collectedDecisions = []
        defer { collectedDecisions = nil }
        while let (_, task) = lookups.first {
            await task.value
        }
        return collectedDecisions ?? []
    }

    /// Starts looking `number` up for call `callID`, without waiting for it.
    func lookUp(_ number: String, for callID: String) {
        guard let service = callerLookup else {
            // No directory service (none configured when the agent started): nobody is known,
            // and the rules that use the contact are decided now.
            Task { await identified(callID, number: number, contact: nil) }
            return
        }
        let round = service.lookup(number)
        let budget = configuration.lookup.budget
        nextLookup += 1
        let id = nextLookup
        lookups[id] = Task {
            if let settled = await round.settled(within: budget) {
                await self.identified(callID, number: number, contact: settled.contact)
            } else {
                // The budget is over: the waiting rules go with what is known now; a later
                // answer still updates the notification.
                let early = round.current.contact
                await self.identified(callID, number: number, contact: early)
                let final = await round.complete().contact
                if let final, final != early { await self.identified(callID, number: number, contact: final) }
            }
            self.lookupEnded(id)
        }
    }

    private func lookupEnded(_ id: Int) {
        lookups[id] = nil
    }

    /// The lookup for call `callID` answered: decide the rules that waited, show the contact.
    func identified(_ callID: String, number: String, contact: CallerContact?) async {
        guard let outcome = engine.identify(call: callID, number: number, contact: contact, at: .now) else { return }
        let decisions = decisions(of: outcome)
        for decision in decisions { await act(on: decision) }
        collectedDecisions?.append(contentsOf: decisions)
        await observers.callChanged(outcome)
    }
}
