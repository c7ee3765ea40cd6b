import CallPopCore
import CallPopSIP
import Testing

/// Exact call events for every recorded scenario, both servers.
@Suite struct DialogCallTrackerTests {
    /// Feeds every recorded NOTIFY body of a file to a fresh tracker for `user`.
    static func events(_ file: String, user: String = "201") throws -> [CallEvent] {
        var tracker = DialogCallTracker(userNumber: user, callIDPrefix: "t/")
        var events: [CallEvent] = []
        for notify in try recordedNotifies(file) {
            events += try tracker.apply(notifyBody: notify.body)
        }
        return events
    }

    static func asterisk(_ state: CallState, _ direction: CallDirection, number: String = "", name: String = "",
                         called: String = "", user: String = "201", userName: String? = nil) -> CallEvent {
        CallEvent(callID: "t/\(user)#1", state: state, direction: direction, remoteNumber: number, remoteName: name,
                  calledNumber: called, userNumber: user, userName: userName, channel: user)
    }

    @Test func asteriskInboundAnswered() throws {
        let call = { (state: CallState) in
            Self.asterisk(state, .incoming, number: "+441234567890", name: "John Doe", called: "201", userName: "Alice Agent")
        }
        #expect(try Self.events("asterisk-22/inbound-answered/dialog-201.txt") == [call(.ringing), call(.answered), call(.ended)])
    }

    @Test func asteriskInboundMissed() throws {
        let call = { (state: CallState) in
            Self.asterisk(state, .incoming, number: "+15551234567", called: "201", userName: "Alice Agent")
        }
        #expect(try Self.events("asterisk-22/inbound-missed/dialog-201.txt") == [call(.ringing), call(.ended)])
    }

    @Test func asteriskOutboundJumpsToConfirmedWithoutIdentity() throws {
        let call = { (state: CallState) in Self.asterisk(state, .outgoing) }
        #expect(try Self.events("asterisk-22/outbound-answered/dialog-201.txt") == [call(.answered), call(.ended)])
    }

    @Test func asteriskInternalColleague() throws {
        let callee = { (state: CallState) in
            Self.asterisk(state, .incoming, number: "202", name: "Bob Builder", called: "201", userName: "Alice Agent")
        }
        #expect(try Self.events("asterisk-22/internal-colleague/dialog-201.txt") == [callee(.ringing), callee(.answered), callee(.ended)])
        // The caller's side (202) is Asterisk's outbound shape: confirmed, no identity.
        let caller = { (state: CallState) in Self.asterisk(state, .outgoing, user: "202") }
        #expect(try Self.events("asterisk-22/internal-colleague/dialog-202.txt", user: "202") == [caller(.answered), caller(.ended)])
    }

    static func kamailio(_ state: CallState, _ direction: CallDirection, callID: String, dialog: String, number: String,
                         called: String, user: String = "201") -> CallEvent {
        CallEvent(callID: "t/" + callID, state: state, direction: direction, remoteNumber: number,
                  calledNumber: called, userNumber: user, channel: dialog)
    }

    /// The call-id and dialog id of the first dialog in a recording.
    static func ids(_ file: String) throws -> (callID: String, dialog: String) {
        for notify in try recordedNotifies(file) where !notify.body.isEmpty {
            let dialog = try #require(try DialogInfoParser.parse(notify.body).dialogs.first)
            return (try #require(dialog.callID), dialog.id)
        }
        throw SIPError(.malformedDialogInfo, "no dialog in \(file)")
    }

    @Test func kamailioInboundAnswered() throws {
        let file = "kamailio-5.6/inbound-answered/dialog-201.txt"
        let (callID, dialog) = try Self.ids(file)
        #expect(callID == "1-24982@127.0.0.1")
        let call = { (state: CallState) in
            Self.kamailio(state, .incoming, callID: callID, dialog: dialog, number: "+441234567890", called: "201")
        }
        #expect(try Self.events(file) == [call(.ringing), call(.answered), call(.ended)])
    }

    @Test func kamailioInboundMissed() throws {
        let file = "kamailio-5.6/inbound-missed/dialog-201.txt"
        let (callID, dialog) = try Self.ids(file)
        let call = { (state: CallState) in
            Self.kamailio(state, .incoming, callID: callID, dialog: dialog, number: "+15551234567", called: "201")
        }
        #expect(try Self.events(file) == [call(.ringing), call(.ended)])
    }

    @Test func kamailioOutboundAnswered() throws {
        let file = "kamailio-5.6/outbound-answered/dialog-201.txt"
        let (callID, dialog) = try Self.ids(file)
        let call = { (state: CallState) in
            Self.kamailio(state, .outgoing, callID: callID, dialog: dialog, number: "00493012345678", called: "00493012345678")
        }
        #expect(try Self.events(file) == [call(.ringing), call(.answered), call(.ended)])
    }

    @Test func kamailioInternalColleagueBothSides() throws {
        let file201 = "kamailio-5.6/internal-colleague/dialog-201.txt"
        let (callID, dialog) = try Self.ids(file201)
        let callee = { (state: CallState) in Self.kamailio(state, .incoming, callID: callID, dialog: dialog, number: "202", called: "201") }
        #expect(try Self.events(file201) == [callee(.ringing), callee(.answered), callee(.ended)])
        let file202 = "kamailio-5.6/internal-colleague/dialog-202.txt"
        let caller = { (state: CallState) in
            Self.kamailio(state, .outgoing, callID: callID, dialog: dialog, number: "201", called: "201", user: "202")
        }
        #expect(try Self.events(file202, user: "202") == [caller(.ringing), caller(.answered), caller(.ended)])
    }

    // MARK: - Rules the recordings do not cover

    static func doc(_ version: UInt64, _ dialogs: [DialogInfo.Dialog], _ completeness: DialogInfo.Completeness = .full) -> DialogInfo {
        DialogInfo(version: version, completeness: completeness, entity: "sip:201@pbx", dialogs: dialogs)
    }

    static func dialog(_ id: String, _ state: DialogInfo.State, _ direction: DialogInfo.Direction? = .recipient,
                       remote: String? = nil, display: String? = nil, event: String? = nil) -> DialogInfo.Dialog {
        DialogInfo.Dialog(id: id, callID: id, direction: direction, state: state, stateEvent: event,
                          remote: .init(identity: remote, display: display))
    }

    @Test func staleVersionsAreIgnoredUntilTheSubscriptionRestarts() {
        var tracker = DialogCallTracker(userNumber: "201", callIDPrefix: "")
        #expect(tracker.apply(Self.doc(5, [Self.dialog("a", .early, remote: "sip:1@pbx")])).map(\.state) == [.ringing])
        #expect(tracker.apply(Self.doc(4, [Self.dialog("a", .confirmed)])).isEmpty)
        #expect(tracker.apply(Self.doc(5, [Self.dialog("a", .confirmed)])).isEmpty)
        tracker.subscriptionRestarted()
        #expect(tracker.apply(Self.doc(0, [Self.dialog("a", .confirmed)])).map(\.state) == [.answered])
    }

    @Test func concurrentDialogsAndPartialDocuments() {
        var tracker = DialogCallTracker(userNumber: "201", callIDPrefix: "")
        let first = tracker.apply(Self.doc(1, [
            Self.dialog("b", .early, remote: "sip:222@pbx", display: "Two"),
            Self.dialog("a", .confirmed, .initiator, remote: "tel:+4930123"),
        ]))
        #expect(first.map { "\($0.callID) \($0.state) \($0.direction) \($0.remoteNumber) \($0.remoteName)" } == [
            "b ringing incoming 222 Two", "a answered outgoing +4930123 ",
        ])
        // Partial: only b changes; a stays. Name kept although omitted.
        let second = tracker.apply(Self.doc(2, [Self.dialog("b", .confirmed, nil, remote: "sip:222@pbx")], .partial))
        #expect(second.map { "\($0.callID) \($0.state) \($0.direction) \($0.remoteName)" } == ["b answered incoming Two"])
        // Full document without dialogs: both end, in the order they began.
        #expect(tracker.apply(Self.doc(3, [])).map { "\($0.callID) \($0.state)" } == ["b ended", "a ended"])
        #expect(tracker.apply(Self.doc(4, [])).isEmpty)
    }

    @Test func bodylessNotifyEndsActiveCalls() throws {
        var tracker = DialogCallTracker(userNumber: "201", callIDPrefix: "")
        _ = tracker.apply(Self.doc(1, [Self.dialog("a", .early, remote: "sip:5@pbx")]))
        #expect(try tracker.apply(notifyBody: []).map(\.state) == [.ended])
        #expect(try tracker.apply(notifyBody: Array("\r\n".utf8)).isEmpty)
    }

    @Test func pickupByAColleagueNeverAnswersAndIsMarkedWhenTheServerSaysSo() {
        var tracker = DialogCallTracker(userNumber: "201", callIDPrefix: "")
        _ = tracker.apply(Self.doc(1, [Self.dialog("a", .early, remote: "sip:5@pbx")]))
        let replaced = tracker.apply(Self.doc(2, [Self.dialog("a", .terminated, event: "replaced")]))
        #expect(replaced.map(\.state) == [.ended])
        #expect(replaced.first?.answeredElsewhere == true)
        // Without the server saying so, early → terminated is a plain end (missed call).
        _ = tracker.apply(Self.doc(3, [Self.dialog("b", .early, remote: "sip:6@pbx")]))
        let missed = tracker.apply(Self.doc(4, [Self.dialog("b", .terminated)]))
        #expect(missed.map(\.state) == [.ended])
        #expect(missed.first?.answeredElsewhere == false)
    }

    @Test("an unanswered dialog's end says busy or failed when the server says why")
    func busyAndFailed() {
        func ending(event: String?, code: Int?) -> CallEvent? {
            var tracker = DialogCallTracker(userNumber: "201", callIDPrefix: "")
            _ = tracker.apply(Self.doc(1, [Self.dialog("a", .early, remote: "sip:5@pbx")]))
            var dialog = Self.dialog("a", .terminated, event: event)
            dialog.stateCode = code
            return tracker.apply(Self.doc(2, [dialog])).first
        }
        #expect(ending(event: "rejected", code: 486)?.endCause == .busy)
        #expect(ending(event: "rejected", code: 603)?.endCause == .busy)
        #expect(ending(event: "rejected", code: nil)?.endCause == .busy)
        #expect(ending(event: "rejected", code: 404)?.endCause == .failed)
        #expect(ending(event: "error", code: nil)?.endCause == .failed)
        #expect(ending(event: "cancelled", code: 487)?.endCause == nil)
        #expect(ending(event: "timeout", code: 408)?.endCause == nil)
        #expect(ending(event: nil, code: nil)?.endCause == nil)
        #expect(ending(event: "replaced", code: nil)?.endCause == nil)
        // An answered call that ends is never busy.
        var tracker = DialogCallTracker(userNumber: "201", callIDPrefix: "")
        _ = tracker.apply(Self.doc(1, [Self.dialog("b", .confirmed, remote: "sip:5@pbx")]))
        var end = Self.dialog("b", .terminated, event: "rejected")
        end.stateCode = 486
        #expect(tracker.apply(Self.doc(2, [end])).first?.endCause == nil)
    }

    @Test func asteriskReusedDialogIDGivesEachCallItsOwnID() {
        var tracker = DialogCallTracker(userNumber: "201", callIDPrefix: "run1/")
        var ids: [String] = []
        for (version, state) in [(1, DialogInfo.State.early), (2, .terminated), (3, .early), (4, .terminated)] {
            let dialog = DialogInfo.Dialog(id: "201", direction: state == .early ? .recipient : nil, state: state)
            ids += tracker.apply(Self.doc(UInt64(version), [dialog])).map(\.callID)
        }
        #expect(ids == ["run1/201#1", "run1/201#1", "run1/201#2", "run1/201#2"])
    }

    @Test func hostileIdentitiesAreCleaned() {
        var tracker = DialogCallTracker(userNumber: "201", callIDPrefix: "")
        let events = tracker.apply(Self.doc(1, [Self.dialog("a", .early, remote: "sip:%0a%1b123@pbx", display: "x")]))
        #expect(events.first?.remoteNumber == "123")
    }

    @Test func manyDialogsAreBounded() {
        var tracker = DialogCallTracker(userNumber: "201", callIDPrefix: "")
        for version in 1...2000 {
            _ = tracker.apply(Self.doc(UInt64(version), [Self.dialog("d\(version)", .early)], .partial))
        }
        // Still works and forgot the oldest: ending one of the first dialogs yields nothing.
        #expect(tracker.apply(Self.doc(2001, [Self.dialog("d1", .terminated)], .partial)).isEmpty)
        #expect(tracker.apply(Self.doc(2002, [Self.dialog("d2000", .terminated)], .partial)).map(\.state) == [.ended])
    }
}
