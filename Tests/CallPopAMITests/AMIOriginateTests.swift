import CallPopAMI
import CallPopCore
import CallPopTestSupport
import Testing

/// The click-to-dial action, checked against what a real client sent to a real Asterisk 22
/// (`click-to-dial/ami-sent.txt`), and its outcome, from what that Asterisk answered.
@Suite struct AMIOriginateTests {
    /// The Originate of the recordings: PJSIP/201 rings, then `internal,02079460000,1`.
    static func recordedOriginate(channelID: String? = nil) throws -> AMIOriginate {
        try AMIOriginate(
            actionID: "dial-1", channel: "PJSIP/201", context: "internal", exten: "02079460000",
            callerID: AMIOriginate.callerID(name: "Alice Agent", number: "201"), timeout: .seconds(30),
            channelID: channelID)
    }

    /// The second action the recording client wrote (Login, Originate, Logoff).
    static func recordedOriginateBytes(_ scenario: String) throws -> [UInt8] {
        let sent = try Fixtures.bytes("asterisk-22/\(scenario)/ami-sent.txt")
        let text = String(decoding: sent, as: UTF8.self)
        let actions = text.split(separator: "\r\n\r\n").map { Array(($0 + "\r\n\r\n").utf8) }
        try #require(actions.count == 3)
        return actions[1]
    }

    /// Byte for byte what the recording client sent, in both recordings.
    @Test(arguments: ["click-to-dial", "click-to-dial-failed"])
    func builtActionIsTheRecordedOne(scenario: String) throws {
        #expect(try Self.recordedOriginate().bytes == Self.recordedOriginateBytes(scenario))
    }

    /// With a `ChannelId` (which the recordings' scenario.md documents from a scratch take):
    /// exactly the recorded fields, in order, and that one more at the end.
    @Test func channelIDIsTheOnlyAddedField() throws {
        let recorded = AMIStreams.messages(try Self.recordedOriginateBytes("click-to-dial"))
        let built = AMIStreams.messages(try Self.recordedOriginate(channelID: "popup-dial-1").bytes)
        try #require(recorded.count == 1 && built.count == 1)
        #expect(built[0].fields.dropLast() == recorded[0].fields[...])
        #expect(built[0].fields.last == AMIMessage.Field("ChannelId", "popup-dial-1"))
        #expect(built[0].fields.map(\.key) == [
            "Action", "ActionID", "Channel", "Context", "Exten", "Priority", "CallerID", "Async", "Timeout", "ChannelId",
        ])
    }

    // MARK: - Outcomes from the recordings

    /// Replays a recording through the framer (whole, and cut into random pieces) and the
    /// tracker, one millisecond per message; returns the outcomes and the tracker.
    static func replay(
        _ messages: [AMIMessage], originate: AMIOriginate, tracker: AMIOriginateTracker = AMIOriginateTracker()
    ) -> ([AMIOriginateOutcome], AMIOriginateTracker) {
        var tracker = tracker
        let start = ContinuousClock.now
        var outcomes = tracker.sent(originate, at: start)
        for (index, message) in messages.enumerated() {
            outcomes += tracker.handle(message, at: start + .milliseconds(index))
        }
        return (outcomes, tracker)
    }

    static func recordedMessages(_ scenario: String, pieces seed: UInt64? = nil) throws -> [AMIMessage] {
        let bytes = try AMIStreams.recorded(scenario)
        guard let seed else { return AMIStreams.messages(bytes) }
        var rng = SplitMix64(seed: seed)
        var framer = AMIFramer()
        var messages: [AMIMessage] = []
        var offset = 0
        while offset < bytes.count {
            let end = min(bytes.count, offset + 1 + Int(rng.next() % 700))
            for case .message(let message) in framer.feed(bytes[offset..<end]) { messages.append(message) }
            offset = end
        }
        return messages
    }

    @Test(arguments: [nil, 1, 2, 3] as [UInt64?])
    func answeredRecordingSucceeds(pieces: UInt64?) throws {
        let (outcomes, tracker) = Self.replay(
            try Self.recordedMessages("click-to-dial", pieces: pieces), originate: try Self.recordedOriginate())
        #expect(outcomes == [AMIOriginateOutcome(
            actionID: "dial-1", result: .answered, exten: "02079460000", device: "PJSIP/201",
            channel: "PJSIP/201-00000000", callID: "1796133020.0", reasonCode: 4, dialStatus: "ANSWER")])
        #expect(outcomes.first?.description == "your phone answered; the PBX is dialling 02079460000")
        #expect(tracker.pendingCount == 0)
    }

    /// 201 answered 486 Busy: `Reason: 0`, but the leg's `DialEnd BUSY` and `Hangup` cause 17 say busy.
    @Test(arguments: [nil, 1, 2, 3] as [UInt64?])
    func busyRecordingFailsAsBusy(pieces: UInt64?) throws {
        let (outcomes, tracker) = Self.replay(
            try Self.recordedMessages("click-to-dial-failed", pieces: pieces), originate: try Self.recordedOriginate())
        #expect(outcomes == [Self.busyOutcome])
        #expect(outcomes.first?.description == "the call to 02079460000 was not placed: your phone (PJSIP/201) was busy or declined it")
        #expect(tracker.pendingCount == 0)
    }

    static let busyOutcome = AMIOriginateOutcome(
        actionID: "dial-1", result: .busy, exten: "02079460000", device: "PJSIP/201", channel: "PJSIP/201-00000000",
        callID: "1796133062.0", reasonCode: 0, dialStatus: "BUSY", hangupCause: 17)

    /// Other takes had the `OriginateResponse` before `DialEnd` and `Hangup` (scenario.md):
    /// the failure waits for the cause instead of reporting a bare "reason 0".
    @Test func failureBeforeTheHangupWaitsForItsCause() throws {
        var messages = try Self.recordedMessages("click-to-dial-failed")
        let response = try #require(messages.firstIndex { $0.event == "OriginateResponse" })
        let dialEnd = try #require(messages.firstIndex { $0.event == "DialEnd" })
        messages.insert(messages.remove(at: response), at: dialEnd)
        #expect(messages[dialEnd].event == "OriginateResponse")
        let (outcomes, _) = Self.replay(messages, originate: try Self.recordedOriginate())
        #expect(outcomes == [Self.busyOutcome])
    }

    /// When the leg's events never come, the failure is reported after the grace period
    /// with what the `OriginateResponse` said.
    @Test func failureWithoutItsLegIsReportedAfterTheGrace() throws {
        let messages = try Self.recordedMessages("click-to-dial-failed").filter { $0.event != "Hangup" && $0.event != "DialEnd" }
        var tracker = AMIOriginateTracker(failureGrace: .milliseconds(500))
        let start = ContinuousClock.now
        _ = tracker.sent(try Self.recordedOriginate(), at: start)
        var outcomes: [AMIOriginateOutcome] = []
        for message in messages { outcomes += tracker.handle(message, at: start) }
        #expect(outcomes.isEmpty)
        #expect(tracker.nextDeadline == start + .milliseconds(500))
        #expect(tracker.deadlinePassed(at: start + .milliseconds(499)).isEmpty)
        let late = tracker.deadlinePassed(at: start + .milliseconds(500))
        #expect(late.map(\.result) == [.failed])
        #expect(late.first?.reasonCode == 0)
        #expect(late.first?.description == "the call to 02079460000 failed (the PBX gave reason 0)")
    }

    /// With a `ChannelId` the leg is known by its `Uniqueid` alone (here the recording's
    /// ids replaced by it, as scenario.md documents, and its Originate-made dial removed).
    @Test func channelIDFindsTheLegWithoutTheDial() throws {
        let text = String(decoding: try AMIStreams.recorded("click-to-dial-failed"), as: UTF8.self)
            .replacing("1796133062.0", with: "popup-dial-1")
            .replacing("Uniqueid: <unknown>", with: "Uniqueid: popup-dial-1")
        let messages = AMIStreams.messages(Array(text.utf8)).filter { $0.event != "DialBegin" }
        let (outcomes, _) = Self.replay(messages, originate: try Self.recordedOriginate(channelID: "popup-dial-1"))
        #expect(outcomes.map(\.result) == [.busy])
        #expect(outcomes.first?.callID == "popup-dial-1")
        #expect(outcomes.first?.hangupCause == 17)
    }

    /// The `eventfilter`s docs/dial.md gives the PBX admin (the guide's two, and one for
    /// callpop's `ActionID`s) keep everything the tracker and the mapper need: the failed
    /// `OriginateResponse` names `PJSIP/201` without a dash, so the guide's alone would drop it.
    @Test(arguments: ["click-to-dial", "click-to-dial-failed"])
    func dialEventFiltersKeepTheOutcome(scenario: String) throws {
        let text = String(decoding: try AMIStreams.recorded(scenario), as: UTF8.self)
            .replacing("ActionID: dial-1", with: "ActionID: \(AMIOriginate.actionID(1))")
        let messages = AMIStreams.messages(Array(text.utf8))
        let filters = [
            try Regex("Channel: (PJSIP|SIP|IAX2)/201-"), try Regex("Channel: Local/201@"),
            try Regex("ActionID: " + AMIOriginate.actionIDPrefix),
        ]
        let filtered = messages.filter { message in
            let text = message.fields.map { "\($0.key): \($0.value)\r\n" }.joined()
            return filters.contains { text.contains($0) }
        }
        #expect(filtered.count < messages.count)
        let originate = try AMIOriginate(
            actionID: AMIOriginate.actionID(1), channel: "PJSIP/201", context: "internal", exten: "02079460000")
        let (unfiltered, _) = Self.replay(messages, originate: originate)
        #expect(Self.replay(filtered, originate: originate).0 == unfiltered)
        #expect(unfiltered.map(\.result) == [scenario == "click-to-dial" ? .answered : .busy])
        #expect(AMIStreams.callEvents(filtered) == AMIStreams.callEvents(messages))
        let guideOnly = messages.filter { message in
            let text = message.fields.map { "\($0.key): \($0.value)\r\n" }.joined()
            return filters.dropLast().contains { text.contains($0) }
        }
        if scenario == "click-to-dial-failed" { #expect(Self.replay(guideOnly, originate: originate).0.isEmpty) }
    }

    // MARK: - Other answers

    /// `Context: from-trunk`, where `_0.` does not exist (scenario.md): an immediate error.
    @Test func responseErrorIsRefusedWithThePBXsWords() throws {
        let (outcomes, tracker) = Self.replay(
            [AMIMessage(["Response": "Error", "ActionID": "dial-1", "Message": "Extension does not exist.\u{7}"])],
            originate: try Self.recordedOriginate())
        #expect(outcomes.map(\.result) == [.refused])
        #expect(outcomes.first?.pbxMessage == "Extension does not exist.")
        #expect(outcomes.first?.description == "the call to 02079460000 was refused by the PBX: Extension does not exist.")
        #expect(tracker.pendingCount == 0)
    }

    /// Responses and events of other actions are not taken for this one's.
    @Test func otherActionIDsAreIgnored() throws {
        let (outcomes, tracker) = Self.replay([
            AMIMessage(["Response": "Error", "ActionID": "callpop-7", "Message": "Permission denied"]),
            AMIMessage(["Event": "OriginateResponse", "ActionID": "someone-else", "Response": "Success", "Reason": "4"]),
        ], originate: try Self.recordedOriginate())
        #expect(outcomes.isEmpty)
        #expect(tracker.pendingCount == 1)
    }

    @Test(arguments: [
        (4, "", nil, AMIOriginateOutcome.Result.failed), (5, "", nil, .busy), (3, "", 19, .noAnswer),
        (3, "", nil, .noAnswer), (8, "", nil, .congested), (1, "", nil, .rejected), (0, "CHANUNAVAIL", 20, .unavailable),
        (0, "", 21, .rejected), (0, "NOANSWER", nil, .noAnswer), (0, "", 34, .congested),
    ] as [(Int, String, Int?, AMIOriginateOutcome.Result)])
    func failureReasons(reason: Int, dialStatus: String, cause: Int?, expected: AMIOriginateOutcome.Result) throws {
        var messages = [AMIMessage([
            "Event": "OriginateResponse", "ActionID": "dial-1", "Response": "Failure", "Channel": "PJSIP/201",
            "Reason": String(reason), "Uniqueid": "popup-dial-1",
        ])]
        if !dialStatus.isEmpty {
            messages.insert(AMIMessage(["Event": "DialEnd", "DestChannel": "PJSIP/201-00000009", "DestUniqueid": "popup-dial-1", "DialStatus": dialStatus]), at: 0)
        }
        messages.append(AMIMessage([
            "Event": "Hangup", "Channel": "PJSIP/201-00000009", "Uniqueid": "popup-dial-1", "Cause": cause.map(String.init) ?? "16",
        ]))
        let (outcomes, _) = Self.replay(messages, originate: try Self.recordedOriginate(channelID: "popup-dial-1"))
        #expect(outcomes.map(\.result) == [cause == nil && dialStatus.isEmpty ? Self.reasonOnly(reason) : expected])
    }

    /// Cause 16 (normal clearing) says nothing, so the reason code decides.
    static func reasonOnly(_ reason: Int) -> AMIOriginateOutcome.Result {
        [5: .busy, 3: .noAnswer, 8: .congested, 1: .rejected][reason] ?? .failed
    }

    @Test func silenceTimesOut() throws {
        var tracker = AMIOriginateTracker(responseTimeout: .seconds(10))
        let start = ContinuousClock.now
        _ = tracker.sent(try Self.recordedOriginate(), at: start)
        #expect(tracker.nextDeadline == start + .seconds(10))
        #expect(tracker.deadlinePassed(at: start + .seconds(10)).map(\.result) == [.timedOut])

        // Queued: the phone may ring for the whole Originate timeout (30 s) first.
        _ = tracker.sent(try Self.recordedOriginate(), at: start)
        _ = tracker.handle(AMIMessage(["Response": "Success", "ActionID": "dial-1", "Message": "Originate successfully queued"]), at: start)
        #expect(tracker.deadlinePassed(at: start + .seconds(39)).isEmpty)
        #expect(tracker.deadlinePassed(at: start + .seconds(40)).map(\.result) == [.timedOut])
    }

    @Test func lostConnectionSettlesEverything() throws {
        var tracker = AMIOriginateTracker()
        _ = tracker.sent(try Self.recordedOriginate(), at: .now)
        _ = tracker.sent(try AMIOriginate(actionID: "dial-2", channel: "PJSIP/201", context: "internal", exten: "201"), at: .now)
        #expect(tracker.connectionLost().map(\.result) == [.connectionLost, .connectionLost])
        #expect(tracker.pendingCount == 0)
    }

    @Test func pendingOriginatesAreBounded() throws {
        var tracker = AMIOriginateTracker()
        var dropped: [AMIOriginateOutcome] = []
        for number in 0..<(AMIOriginateTracker.maxPending + 2) {
            dropped += tracker.sent(
                try AMIOriginate(actionID: "dial-\(number)", channel: "PJSIP/201", context: "internal", exten: "201"), at: .now)
        }
        #expect(tracker.pendingCount == AMIOriginateTracker.maxPending)
        #expect(dropped.map(\.actionID) == ["dial-0", "dial-1"])
    }
}

/// No value can add a header to the Originate, whatever it holds.
@Suite struct AMIOriginateSafetyTests {
    static func make(
        actionID: String = "dial-1", channel: String = "PJSIP/201", context: String = "internal",
        exten: String = "02079460000", callerID: String? = "\"Alice Agent\" <201>", channelID: String? = nil
    ) throws(AMIError) -> AMIOriginate {
        try AMIOriginate(actionID: actionID, channel: channel, context: context, exten: exten, callerID: callerID, channelID: channelID)
    }

    @Test(arguments: [
        ("Exten", "020\r\nAction: Hangup", AMIError.Code.controlCharacter),
        ("Exten", "020\u{0}", .controlCharacter),
        ("Exten", "020&PJSIP/666", .invalidValue),
        ("Exten", "020,60,D(1)", .invalidValue),
        ("Exten", "020@trunk", .invalidValue),
        ("Exten", "", .empty),
        ("Channel", "PJSIP/201\nAction: Originate", .controlCharacter),
        ("Channel", "201", .invalidValue),
        ("Channel", "PJSIP/201&PJSIP/202", .invalidValue),
        ("Context", "internal\r", .controlCharacter),
        ("Context", "inter nal", .invalidValue),
        ("CallerID", "Eve\r\nVariable: x=1", .controlCharacter),
        ("ActionID", "dial 1", .invalidValue),
        ("ChannelId", "popup\n1", .controlCharacter),
    ])
    func refused(field: String, value: String, code: AMIError.Code) {
        do {
            _ = try Self.make(
                actionID: field == "ActionID" ? value : "dial-1", channel: field == "Channel" ? value : "PJSIP/201",
                context: field == "Context" ? value : "internal", exten: field == "Exten" ? value : "02079460000",
                callerID: field == "CallerID" ? value : nil, channelID: field == "ChannelId" ? value : nil)
            Issue.record("\(field) \(value.debugDescription) was accepted")
        } catch {
            #expect(error.code == code)
            #expect(error.field == field)
            #expect(error.message.unicodeScalars.allSatisfy { (0x20...0x7E).contains($0.value) })
        }
    }

    /// The caller ID helper drops what would end the name early, and control characters.
    @Test func callerIDFromHostileName() {
        #expect(AMIOriginate.callerID(name: "Alice Agent", number: "201") == "\"Alice Agent\" <201>")
        #expect(AMIOriginate.callerID(name: "Eve\" <666>\r\nAction: Hangup", number: "201;x") == "\"Eve 666Action: Hangup\" <201>")
        #expect(AMIOriginate.callerID(name: " \u{202E} ", number: "201") == "<201>")
        #expect(AMIOriginate.callerID(name: "Zoë", number: "") == "\"Zoë\"")
        #expect(AMIOriginate.callerID(name: "", number: "") == nil)
    }

    /// Random values: refused, or framed back as exactly the fields that were built.
    @Test func randomValuesNeverAddAField() {
        var rng = SplitMix64(seed: 9)
        let hostile = Array("aZ09-_./@:+*#&, \"<>\r\n\t\u{0}\u{7F}é".unicodeScalars)
        let plain = Array("aZ09-_.".unicodeScalars)
        let digits = Array("0123456789*#+".unicodeScalars)
        let names = Array("Alice <201> \"é".unicodeScalars)
        func random(_ safe: [Unicode.Scalar]) -> String {
            // Mostly values of the field's own kind, with a hostile character now and then.
            String(String.UnicodeScalarView((0..<(1 + Int(rng.next() % 12))).map { _ in
                let pool = rng.next() % 8 == 0 ? hostile : safe
                return pool[Int(rng.next() % UInt64(pool.count))]
            }))
        }
        var built = 0
        for _ in 0..<4000 {
            guard let originate = try? AMIOriginate(
                actionID: random(plain), channel: "PJSIP/" + random(plain), context: random(plain), exten: random(digits),
                callerID: random(names), channelID: random(plain))
            else { continue }
            built += 1
            let framed = AMIStreams.messages(originate.bytes)
            #expect(framed.count == 1)
            #expect(framed.first?.fields.count == originate.fields.count)
        }
        #expect(built > 100)
    }

    @Test func channelIDsAreRandomAndValid() throws {
        var rng = SplitMix64(seed: 1)
        let first = AMIOriginate.makeChannelID(using: &rng)
        let second = AMIOriginate.makeChannelID(using: &rng)
        #expect(first != second)
        #expect(first.count == 24 && first.hasPrefix("callpop-"))
        _ = try AMIOriginateSafetyTests.make(channelID: first)
    }
}
