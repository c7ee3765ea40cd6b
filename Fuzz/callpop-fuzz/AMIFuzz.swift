import CallPopAMI
import CallPopCore

/// The AMI framer and session: a PBX (or whoever answers on its port) is hostile.
enum AMIFuzz {
    /// Framing does not depend on how the stream was cut into reads: the same bytes in one
    /// read or in many give the same messages, banners and garbage, in the same order. Also
    /// with the session's event filter, whose skip of unwanted events (sixteen bytes at a
    /// step, state carried across reads) must not depend on the cuts either, and lets no
    /// unwanted event through.
    static func framer(_ raw: UnsafeRawBufferPointer) {
        var input = FuzzInput(raw, controlBytes: 1)
        let seed = input.next()
        for events in [nil, AMISession.eventFilter] {
            var whole = AMIFramer(maxLineBytes: 256, maxMessageBytes: 1024, events: events)
            let expected = whole.feed(input.payload)
            var pieces = AMIFramer(maxLineBytes: 256, maxMessageBytes: 1024, events: events)
            var outputs: [AMIFramer.Output] = []
            for chunk in FuzzInput.chunks(input.payload, seed: seed) { outputs += pieces.feed(chunk) }
            let filtered = events == nil ? "" : " with the event filter"
            require(outputs == expected, "framing\(filtered) depends on read boundaries: \(outputs.count) outputs in pieces, \(expected.count) whole")
            // The filter decides from a message's first field (an `Event` further down is the
            // session's to judge).
            guard let events else { continue }
            for case .message(let message) in expected {
                guard let first = message.fields.first, first.key.lowercased() == "event" else { continue }
                require(events.passes(first.value), "the filter let \(first.value.debugDescription) through")
            }
        }
    }

    /// The session from the banner on, or already logged in, with the clock moving and the
    /// deadlines fired as the I/O loop would: it never crashes, its events are cleaned, and
    /// what it sends is a well-formed action.
    static func session(_ raw: UnsafeRawBufferPointer) {
        var input = FuzzInput(raw, controlBytes: 3)
        let mode = input.next()
        let chunkSeed = input.next()
        let clockSeed = input.next()
        var session = AMISession(
            configuration: .init(username: "popup", secret: "s3cret", login: mode & 1 == 0 ? .challenge : .plain,
                                 keepaliveInterval: .seconds(20), responseTimeout: .seconds(5)),
            mapper: AMICallMapper(matcher: AMIDeviceMatcher(devices: ["PJSIP/201"]), maxTrackedChannels: 16))
        var now = ContinuousClock.now
        var actions = session.connected(at: now)
        if mode & 2 != 0 {
            // Skip the login: the same answers a real Asterisk gives, then the fuzzed stream.
            for answer in loginAnswers(plain: mode & 1 != 0) { actions += session.received(Array(answer.utf8), at: now) }
        }
        var step = UInt32(clockSeed)
        for chunk in FuzzInput.chunks(input.payload, seed: chunkSeed) {
            actions += session.received(chunk, at: now)
            step = step &* 1_664_525 &+ 1_013_904_223
            now += .milliseconds(Int(step >> 20))  // 0 to 4 s per read
            if let due = session.nextDeadline, now >= due { actions += session.deadlinePassed(at: now) }
            if let due = session.nextWarningSummary, now >= due { actions += session.warningSummaries(at: now) }
            check(actions, plainLogin: mode & 1 != 0)
            actions.removeAll(keepingCapacity: true)
            if !session.isLoggedIn, mode & 2 != 0, session.nextDeadline == nil { break }
        }
        check(actions + session.shutdown(at: now), plainLogin: mode & 1 != 0)
    }

    private static func loginAnswers(plain: Bool) -> [String] {
        let challenge = plain ? [] : ["Response: Success\r\nActionID: callpop-1\r\nChallenge: 840415273\r\n\r\n"]
        let login = plain ? "callpop-1" : "callpop-2"
        let resync = plain ? "callpop-2" : "callpop-3"
        return ["Asterisk Call Manager/11.0.0\r\n"] + challenge + [
            "Response: Success\r\nActionID: \(login)\r\nMessage: Authentication accepted\r\n\r\n",
            "Response: Success\r\nActionID: \(resync)\r\nEventList: start\r\nMessage: Channels will follow\r\n\r\n"
                + "Event: CoreShowChannelsComplete\r\nActionID: \(resync)\r\nEventList: Complete\r\nListItems: 0\r\n\r\n",
        ]
    }

    private static func check(_ actions: [AMISession.Action], plainLogin: Bool) {
        for action in actions {
            switch action {
            case .send(let bytes):
                // One action: Key: Value lines, one blank line at its end and none before.
                require(bytes.count >= 4 && bytes.suffix(4).elementsEqual([13, 10, 13, 10]), "an action not ending in a blank line")
                let text = String(decoding: bytes.dropLast(4), as: UTF8.self)
                require(!text.contains("\r\n\r\n") && !text.contains("\n\n"), "two actions in one send: \(text)")
                // The challenge login sends md5(challenge + secret), never the secret itself.
                require(plainLogin || !text.contains("s3cret"), "the secret in an action")
            case .emit(let event):
                // Values come from single header lines: no line break can reach an event.
                for value in [event.callID, event.remoteNumber, event.remoteName, event.calledNumber, event.channel] {
                    require(!value.utf8.contains(10) && !value.utf8.contains(13), "a line break in an event: \(value.debugDescription)")
                }
                require(!event.callID.isEmpty, "an event without a call id")
            case .report(let report):
                require(!report.message.contains("s3cret"), "the secret in a report")
            case .close:
                break
            }
        }
    }
}
