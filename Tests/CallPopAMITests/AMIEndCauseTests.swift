import CallPopAMI
import CallPopCore
import CallPopTestSupport
import Testing

/// Busy and failed calls told apart from missed ones (`DialStatus`, `Hangup` cause), on the
/// recorded outbound and missed calls with their outcome changed field by field.
@Suite struct AMIEndCauseTests {
    /// The recording's messages with `change` applied to each; nil drops a message.
    static func edited(_ scenario: String, _ change: (AMIMessage) -> AMIMessage?) throws -> [CallEvent] {
        AMIStreams.callEvents(AMIStreams.messages(try AMIStreams.recorded(scenario)).compactMap(change))
    }

    static func replacing(_ message: AMIMessage, _ key: String, with value: String) -> AMIMessage {
        AMIMessage(message.fields.map { $0.key == key ? .init(key, value) : $0 })
    }

    /// The outbound call, unanswered: the far end's `DialEnd` says `status`, nothing is bridged.
    static func outbound(dialStatus status: String) throws -> [CallEvent] {
        try edited("outbound-answered") { message in
            switch message["Event"] {
            case "BridgeEnter": nil
            case "DialEnd": replacing(message, "DialStatus", with: status)
            default: message
            }
        }
    }

    @Test func busyAndFailedOutbound() throws {
        let busy = try Self.outbound(dialStatus: "BUSY")
        #expect(busy.map(\.state) == [.ringing, .ended])
        #expect(busy.last?.endCause == .busy)
        #expect(try Self.outbound(dialStatus: "CHANUNAVAIL").last?.endCause == .failed)
        #expect(try Self.outbound(dialStatus: "CONGESTION").last?.endCause == .failed)
        #expect(try Self.outbound(dialStatus: "NOANSWER").last?.endCause == nil)
        #expect(try Self.outbound(dialStatus: "CANCEL").last?.endCause == nil)
    }

    @Test("the user's phone hung up with cause 17 (busy, declined) or a network cause")
    func hangupCauses() throws {
        func missed(cause: String) throws -> CallEvent? {
            try Self.edited("inbound-missed") { message in
                message["Event"] == "Hangup" && message["Channel"]?.hasPrefix("PJSIP/201") == true
                    ? Self.replacing(message, "Cause", with: cause) : message
            }.last
        }
        #expect(try missed(cause: "17")?.endCause == .busy)
        #expect(try missed(cause: "34")?.endCause == .failed)
        #expect(try missed(cause: "16")?.endCause == nil)
        #expect(try missed(cause: "26")?.answeredElsewhere == true)
        #expect(try missed(cause: "26")?.endCause == nil)
    }

    @Test("answered calls never carry an end cause, and the recordings are unchanged")
    func answered() throws {
        #expect(AMIStreams.callEvents(AMIStreams.messages(try AMIStreams.recorded("outbound-answered"))) == Expected.outboundAnswered)
        #expect(AMIStreams.callEvents(AMIStreams.messages(try AMIStreams.recorded("inbound-missed"))) == Expected.inboundMissed)
        let declined = try Self.edited("outbound-answered") { message in
            message["Event"] == "Hangup" ? Self.replacing(message, "Cause", with: "17") : message
        }
        #expect(declined.last?.state == .ended && declined.last?.endCause == nil)
    }
}
