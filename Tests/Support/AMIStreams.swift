public import CallPopAMI
public import CallPopCore
import Foundation

/// Loading the AMI streams the tests play: recorded ones byte-exact, hand-written ones
/// without their `#` header and with CRLF line ends (as Asterisk sends).
public enum AMIStreams {
    /// The raw bytes of a recorded scenario.
    public static func recorded(_ scenario: String) throws -> [UInt8] {
        try Fixtures.bytes("asterisk-22/\(scenario)/ami.txt")
    }

    /// The events of a recorded scenario only (no banner, login or Goodbye), as a fake
    /// server plays them after its own login exchange.
    public static func recordedEvents(_ scenario: String) throws -> [UInt8] {
        let recorded = String(decoding: try recorded(scenario), as: UTF8.self)
        return Array(recorded.components(separatedBy: "\r\n\r\n").filter { $0.hasPrefix("Event: ") }.map { $0 + "\r\n\r\n" }.joined().utf8)
    }

    /// The wire bytes of a hand-written stream in `Tests/Fixtures/ami-handwritten`.
    public static func handwritten(_ name: String) throws -> [UInt8] {
        let text = String(decoding: try Fixtures.bytes("ami-handwritten/\(name).txt"), as: UTF8.self)
        let body = text.split(separator: "\n", omittingEmptySubsequences: false).drop { $0.hasPrefix("#") }
        return Array(body.joined(separator: "\r\n").utf8)
    }

    /// The messages of a stream (banner and garbage dropped).
    public static func messages(_ bytes: [UInt8]) -> [AMIMessage] {
        var framer = AMIFramer()
        return framer.feed(bytes).compactMap { if case .message(let message) = $0 { message } else { nil } }
    }

    /// Every call event a fresh mapper for `devices` derives from `messages`.
    public static func callEvents(
        _ messages: [AMIMessage], devices: [String] = AMIDeviceMatcher.defaultDevices(forNumber: "201"),
        trunks: [String] = []
    ) -> [CallEvent] {
        var mapper = AMICallMapper(matcher: AMIDeviceMatcher(devices: devices, trunks: trunks))
        return messages.flatMap { mapper.handle($0) }
    }
}

/// Expected events, written out field by field.
public enum Expected {
    /// The three events of a call, differing only in state (and `answeredElsewhere` on `ended`).
    public static func call(
        _ callID: String, _ direction: CallDirection, remote: String, name: String, called: String,
        channel: String, colleague: Bool? = nil, states: [CallState], answeredElsewhere: Bool = false,
        user: (String, String) = ("201", "Alice Agent")
    ) -> [CallEvent] {
        states.map { state in
            CallEvent(
                callID: callID, state: state, direction: direction, remoteNumber: remote, remoteName: name,
                calledNumber: called, userNumber: user.0, userName: user.1, isColleague: colleague,
                channel: channel, answeredElsewhere: state == .ended && answeredElsewhere)
        }
    }

    public static let inboundAnswered = call(
        "1795593625.0", .incoming, remote: "+441234567890", name: "John Doe", called: "5550100",
        channel: "PJSIP/201-00000001", states: [.ringing, .answered, .ended])
    public static let inboundMissed = call(
        "1795593665.0", .incoming, remote: "+15551234567", name: "", called: "5550100",
        channel: "PJSIP/201-00000001", states: [.ringing, .ended])
    public static let outboundAnswered = call(
        "1795593639.0", .outgoing, remote: "00493012345678", name: "", called: "00493012345678",
        channel: "PJSIP/201-00000000", states: [.ringing, .answered, .ended])
    public static let internalColleague = call(
        "1795593652.0", .incoming, remote: "202", name: "Bob Builder", called: "201",
        channel: "PJSIP/201-00000001", colleague: true, states: [.ringing, .answered, .ended])
}
