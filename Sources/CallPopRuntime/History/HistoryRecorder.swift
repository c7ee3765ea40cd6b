import CallPopCore
internal import CallPopPlatform

/// Writes every call change and every popup opened or offered to the history journal.
struct HistoryRecorder: AgentObserver {
    let log: HistoryLog
    /// Offered popups are written with their call.
    var observes: AgentObservations { [.callsWithOffers, .decisions] }

    func callChanged(_ call: TrackedCall, offers: [Decision]) async {
        let ms = WallClock.milliseconds()
        let time = WallClock.iso8601(milliseconds: ms)
        log.append(CallHistory.line(for: call, ms: ms, time: time))
        for offer in offers where call.event.state == .ringing || call.event.state == .answered {
            if let line = CallHistory.line(for: offer, ms: ms, time: time) { log.append(line) }
        }
    }

    func decided(_ decision: Decision) async {
        // Offers are written with their call's change above; launches (automatic and clicked) here.
        guard decision.verdict == .launch else { return }
        let ms = WallClock.milliseconds()
        if let line = CallHistory.line(for: decision, ms: ms, time: WallClock.iso8601(milliseconds: ms)) { log.append(line) }
    }
}
