/// An `Action: Originate` for click-to-dial: the PBX rings the user's own device
/// (`channel`), and once it is answered runs `context`,`exten`,1 on it, which dials the
/// number. Always asynchronous, so the answer (`Response: Success`, "Originate
/// successfully queued") comes at once and the outcome later, as an `OriginateResponse`
/// event with the same `ActionID` (see `AMIOriginateTracker`).
///
/// Every value is checked when the action is made: a CR, LF or NUL would start a header
/// of its own, and `Exten` reaches the dialplan's `Dial()` arguments (`${EXTEN}`), where
/// `&`, `,` or `@` would dial something else, so it holds only `0-9 * # +`.
public struct AMIOriginate: Sendable, Hashable {
    /// Ties the `Response` and the `OriginateResponse` to this action.
    public let actionID: String
    /// The user's device, `PJSIP/201` (not a channel name: no `-0000002a` suffix).
    public let channel: String
    /// The dialplan context the answered channel continues in (`[dial] context`).
    public let context: String
    /// The number to dial there (what the dial plan made).
    public let exten: String
    /// The dialplan priority to start at.
    public let priority: Int
    /// The caller ID of the originated channel (`"Alice Agent" <201>`): what the user's
    /// phone shows while it rings, and what the called party is presented.
    public let callerID: String?
    /// How long the user's phone may ring before the Originate gives up.
    public let timeout: Duration
    /// The `Uniqueid` Asterisk gives the originated channel (`ChannelId`), so its events
    /// are known from the first `Newchannel` on, and a failed `OriginateResponse` names it.
    public let channelID: String?

    /// Creates an Originate; throws when a value could inject headers or is not valid there.
    public init(
        actionID: String, channel: String, context: String, exten: String, priority: Int = 1,
        callerID: String? = nil, timeout: Duration = .seconds(30), channelID: String? = nil
    ) throws(AMIError) {
        try Self.check("ActionID", actionID, max: 64, allowed: Self.isIdentifier)
        try Self.check("Channel", channel, max: 128) { Self.isIdentifier($0) || "/@:+".utf8.contains($0) }
        guard channel.contains("/") else {
            throw AMIError(.invalidValue, field: "Channel", "Channel must name a device as Technology/resource, e.g. PJSIP/201")
        }
        try Self.check("Context", context, max: 79, allowed: Self.isIdentifier)
        try Self.check("Exten", exten, max: 64) { $0 >= 0x30 && $0 <= 0x39 || "*#+".utf8.contains($0) }
        if let callerID { try Self.check("CallerID", callerID, max: 256, nonASCII: true) { _ in true } }
        if let channelID { try Self.check("ChannelId", channelID, max: 128, allowed: Self.isIdentifier) }
        guard (1...999).contains(priority) else {
            throw AMIError(.invalidValue, field: "Priority", "Priority must be between 1 and 999")
        }
        guard timeout >= .seconds(1), timeout <= .seconds(600) else {
            throw AMIError(.invalidValue, field: "Timeout", "the ring timeout must be between 1 s and 10 min")
        }
        self.actionID = actionID
        self.channel = channel
        self.context = context
        self.exten = exten
        self.priority = priority
        self.callerID = callerID
        self.timeout = timeout
        self.channelID = channelID
    }

    /// The header lines in the order they are sent.
    public var fields: [(key: String, value: String)] {
        var fields: [(key: String, value: String)] = [
            ("Action", "Originate"), ("ActionID", actionID), ("Channel", channel), ("Context", context),
            ("Exten", exten), ("Priority", String(priority)),
        ]
        if let callerID { fields.append(("CallerID", callerID)) }
        let (seconds, attoseconds) = timeout.components
        fields += [("Async", "true"), ("Timeout", String(seconds * 1000 + attoseconds / 1_000_000_000_000_000))]
        if let channelID { fields.append(("ChannelId", channelID)) }
        return fields
    }

    /// The bytes to write to the AMI connection.
    public var bytes: [UInt8] { AMIAction.encode(fields) }

    /// `"Alice Agent" <201>`: a caller ID from a name and a number. Quotes, angle
    /// brackets, backslashes and control characters are left out of the name (they would
    /// end it early in Asterisk's caller ID parser); the number keeps `0-9 * # +` only.
    public static func callerID(name: String, number: String) -> String? {
        let number = String(number.unicodeScalars.filter { ("0"..."9").contains($0) || "*#+".unicodeScalars.contains($0) })
        var cleanName = String.UnicodeScalarView()
        cleanName.append(contentsOf: name.unicodeScalars.filter {
            !"\"<>\\".unicodeScalars.contains($0) && $0.properties.generalCategory != .control
                && $0.properties.generalCategory != .format && $0 != "\u{2028}" && $0 != "\u{2029}"
        })
        let shownName = String(cleanName).trimmingSpaces
        switch (shownName.isEmpty, number.isEmpty) {
        case (true, true): return nil
        case (true, false): return "<\(number)>"
        case (false, true): return "\"\(shownName)\""
        case (false, false): return "\"\(shownName)\" <\(number)>"
        }
    }

    /// The start of every click-to-dial `ActionID`; the PBX admin's `eventfilter` lets the
    /// `OriginateResponse` events through by it (docs/dial.md).
    public static let actionIDPrefix = "callpop-dial-"

    /// The `ActionID` of the `sequence`th dial of a session: `callpop-dial-1`, ... (the
    /// session's own actions are `callpop-N`).
    public static func actionID(_ sequence: Int) -> String { actionIDPrefix + String(sequence) }

    /// A `ChannelId` no other channel on the PBX has: `callpop-` and 16 random hex digits.
    public static func makeChannelID(using generator: inout some RandomNumberGenerator) -> String {
        let hex = String(generator.next(), radix: 16)
        return "callpop-" + String(repeating: "0", count: 16 - hex.count) + hex
    }

    /// Letters, digits, `-`, `_` and `.`.
    private static func isIdentifier(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."):
            true
        default: false
        }
    }

    /// Refuses an empty or over-long value, control characters, and ASCII bytes `allowed`
    /// rejects (and any non-ASCII character unless `nonASCII`).
    private static func check(
        _ field: String, _ value: String, max: Int, nonASCII: Bool = false, allowed: (UInt8) -> Bool
    ) throws(AMIError) {
        guard !value.isEmpty else { throw AMIError(.empty, field: field, "\(field) is empty") }
        guard value.utf8.count <= max else {
            throw AMIError(.invalidValue, field: field, "\(field) is longer than \(max) bytes")
        }
        if value.unicodeScalars.contains(where: { $0.properties.generalCategory == .control || $0 == "\u{2028}" || $0 == "\u{2029}" }) {
            throw AMIError(.controlCharacter, field: field, "\(field) contains a control character (CR, LF, NUL, ...)")
        }
        guard value.utf8.allSatisfy({ $0 < 0x80 ? allowed($0) : nonASCII }) else {
            throw AMIError(.invalidValue, field: field, "\(field) contains a character the PBX does not accept there")
        }
    }
}

extension String {
    /// Without the spaces at either end.
    fileprivate var trimmingSpaces: String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { $0.properties.generalCategory != .spaceSeparator }),
            let last = scalars.lastIndex(where: { $0.properties.generalCategory != .spaceSeparator })
        else { return "" }
        return String(scalars[first...last])
    }
}
