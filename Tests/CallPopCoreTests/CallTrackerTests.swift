import CallPopCore
import Testing

@Suite("Call tracker")
struct CallTrackerTests {
    let noColleagues: (CallEvent) -> Bool = { _ in false }

    /// Applies `event` at `seconds`, requiring an update.
    func step(
        _ tracker: inout CallTracker, _ event: CallEvent, _ seconds: Double, colleague: (CallEvent) -> Bool = { _ in false }
    ) throws -> CallUpdate {
        let update = tracker.apply(event, at: at(seconds), colleague: colleague)
        return try #require(update)
    }

    @Test func triggerMatrix() {
        #expect(Trigger.automatic(for: .ringing, direction: .incoming) == .ringing)
        #expect(Trigger.automatic(for: .ringing, direction: .outgoing) == .callGeneration)
        #expect(Trigger.automatic(for: .answered, direction: .incoming) == .answer)
        #expect(Trigger.automatic(for: .answered, direction: .outgoing) == .answer)
        #expect(Trigger.automatic(for: .ended, direction: .incoming) == nil)
        #expect(Trigger.automatic(for: .ended, direction: .outgoing) == nil)
        #expect(Trigger.ringing.allowedDirections == [.incoming])
        #expect(Trigger.callGeneration.allowedDirections == [.outgoing])
        #expect(Trigger.answer.allowedDirections == [.incoming, .outgoing, .any])
        #expect(Trigger.onClick.allowedDirections == [.incoming, .outgoing, .any])
        #expect(Trigger.allCases.filter(\.isAutomatic) == [.ringing, .callGeneration, .answer])
        #expect(Trigger.allCases.map(\.rawValue) == ["on-click", "ringing", "call-generation", "answer"])
        #expect(DirectionFilter.any.admits(.incoming) && DirectionFilter.any.admits(.outgoing))
        #expect(DirectionFilter.incoming.admits(.incoming) && !DirectionFilter.incoming.admits(.outgoing))
        #expect(DirectionFilter.outgoing.admits(.outgoing) && !DirectionFilter.outgoing.admits(.incoming))
    }

    @Test func stateChangesBecomeTriggersOnce() throws {
        var tracker = CallTracker()
        let first = try step(&tracker, event("c1", .ringing), 0)
        #expect(first.isNew && !first.isRepeat && first.trigger == .ringing)
        let again = try step(&tracker, event("c1", .ringing), 1)
        #expect(!again.isNew && again.isRepeat && again.trigger == nil)
        let answered = try step(&tracker, event("c1", .answered), 2)
        #expect(answered.trigger == .answer && answered.call.wasAnswered && !answered.isRepeat)
        let answeredAgain = try step(&tracker, event("c1", .answered), 3)
        #expect(answeredAgain.trigger == nil && answeredAgain.isRepeat)
        // Ringing after the answer (a late fork) is not a new ring.
        #expect(tracker.apply(event("c1", .ringing), at: at(4), colleague: noColleagues)?.trigger == nil)
        #expect(tracker.liveCount == 1)
        let ended = try step(&tracker, event("c1", .ended), 5)
        #expect(ended.trigger == nil && ended.call.event.state == .ended)
        #expect(tracker.liveCount == 0)
        #expect(tracker.call("c1")?.event.state == .ended)
    }

    @Test func outgoingRingingIsCallGeneration() {
        var tracker = CallTracker()
        #expect(tracker.apply(event("c1", .ringing, .outgoing), at: at(0), colleague: noColleagues)?.trigger == .callGeneration)
    }

    @Test func firstSeenAnsweredFiresAnswerOnly() throws {
        var tracker = CallTracker()
        let update = try step(&tracker, event("c1", .answered), 0)
        #expect(update.isNew && update.trigger == .answer)
        #expect(tracker.apply(event("c1", .ringing), at: at(1), colleague: noColleagues)?.trigger == nil)
    }

    @Test func endOfAnUnknownCallIsIgnored() {
        var tracker = CallTracker()
        #expect(tracker.apply(event("never-seen", .ended), at: at(0), colleague: noColleagues) == nil)
        #expect(tracker.liveCount == 0)
        #expect(tracker.call("never-seen") == nil)
    }

    @Test func replayAfterEndKeepsFiredRules() throws {
        var tracker = CallTracker()
        _ = tracker.apply(event("c1", .ringing), at: at(0), colleague: noColleagues)
        tracker.markFired("crm", call: "c1")
        _ = tracker.apply(event("c1", .ended), at: at(1), colleague: noColleagues)
        #expect(tracker.apply(event("c1", .ended), at: at(2), colleague: noColleagues) == nil)
        let replay = try step(&tracker, event("c1", .ringing), 3)
        #expect(!replay.isNew)
        #expect(replay.call.firedRuleIDs == ["crm"])
    }

    @Test func laterEventsKeepWhatEarlierOnesSaid() throws {
        var tracker = CallTracker()
        _ = tracker.apply(
            CallEvent(callID: "c1", state: .ringing, direction: .incoming, remoteNumber: "+442071234567",
                      remoteName: "John Doe", calledNumber: "5550100", userNumber: "305", tags: ["vip"], channel: "PJSIP/201-1"),
            at: at(0), colleague: noColleagues)
        let update = try step(&tracker, CallEvent(callID: "c1", state: .answered, direction: .outgoing), 1)
        #expect(update.call.event == CallEvent(
            callID: "c1", state: .answered, direction: .incoming, remoteNumber: "+442071234567", remoteName: "John Doe",
            calledNumber: "5550100", userNumber: "305", tags: ["vip"], channel: "PJSIP/201-1"))
    }

    @Test func colleagueFlagComesFromTheEventFirst() throws {
        var tracker = CallTracker()
        var asked = 0
        let update = try step(&tracker, event("c1", .ringing, colleague: true), 0, colleague: { _ in asked += 1; return false })
        #expect(update.call.isColleague && asked == 0)
        let decided = try step(&tracker, event("c2", .ringing), 0, colleague: { _ in asked += 1; return true })
        #expect(decided.call.isColleague && asked == 1)
        // A later event that says otherwise wins.
        #expect(tracker.apply(event("c2", .answered, colleague: false), at: at(1)) { _ in true }?.call.isColleague == false)
    }

    @Test func callsThatNeverEndExpire() throws {
        var tracker = CallTracker(maximumAge: .seconds(60))
        _ = tracker.apply(event("old", .ringing), at: at(0), colleague: noColleagues)
        _ = tracker.apply(event("kept", .ringing), at: at(0), colleague: noColleagues)
        _ = tracker.apply(event("kept", .answered), at: at(50), colleague: noColleagues)
        tracker.expire(now: at(60))
        #expect(tracker.liveCount == 2)  // exactly the bound: not yet
        tracker.expire(now: at(60.001))
        #expect(tracker.liveCount == 1)
        #expect(tracker.call("old") == nil)
        #expect(tracker.call("kept") != nil)
        // Applying an event expires too.
        _ = tracker.apply(event("new", .ringing), at: at(111), colleague: noColleagues)
        #expect(tracker.liveCalls.map(\.event.callID) == ["new"])
    }

    @Test func documentedBounds() {
        // docs/events.md: a call never ended is dropped after 4 hours.
        let tracker = CallTracker()
        #expect(tracker.maximumAge == .seconds(4 * 3600))
        #expect(tracker.maximumCalls == 256)
        #expect(tracker.endedMemory == 64)
    }

    @Test func aCallNeverEndedIsDroppedAfterFourHours() {
        var tracker = CallTracker()
        _ = tracker.apply(event("c1", .answered), at: at(0), colleague: noColleagues)
        tracker.expire(now: at(4 * 3600))
        #expect(tracker.liveCount == 1)
        tracker.expire(now: at(4 * 3600 + 1))
        #expect(tracker.liveCount == 0)
    }

    @Test func liveCallsAreBoundedStalestFirst() {
        var tracker = CallTracker(maximumCalls: 3)
        for i in 0..<10 { _ = tracker.apply(event("c\(i)", .ringing), at: at(Double(i)), colleague: noColleagues) }
        #expect(tracker.liveCount == 3)
        #expect(tracker.liveCalls.map(\.event.callID) == ["c9", "c8", "c7"])
    }

    @Test func endedMemoryIsBounded() {
        var tracker = CallTracker(endedMemory: 2)
        for i in 0..<5 {
            _ = tracker.apply(event("c\(i)", .ringing), at: at(Double(i)), colleague: noColleagues)
            _ = tracker.apply(event("c\(i)", .ended), at: at(Double(i) + 0.5), colleague: noColleagues)
        }
        #expect(tracker.liveCount == 0)
        #expect((0..<5).map { tracker.call("c\($0)") != nil } == [false, false, false, true, true])
    }

    @Test func memoryStaysFlatUnderAStorm() {
        var tracker = CallTracker()
        for i in 0..<5_000 {
            _ = tracker.apply(event("s\(i)", .ringing), at: at(Double(i) / 100), colleague: noColleagues)
            if i % 2 == 0 { _ = tracker.apply(event("s\(i)", .ended), at: at(Double(i) / 100), colleague: noColleagues) }
        }
        #expect(tracker.liveCount == tracker.maximumCalls)
        #expect(tracker.maximumCalls == 256)
        #expect(tracker.call("s4998") != nil)
        #expect(tracker.call("s1") == nil)
    }
}
