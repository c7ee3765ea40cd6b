import CallPopCore

/// What the mapper knows about one of the user's channels.
struct TrackedChannel: Sendable {
    var uniqueID: String
    var name: String
    var linkedID: String
    /// `nil` until a dial shows which way the call goes.
    var direction: CallDirection?
    var remoteNumber = ""
    var remoteName = ""
    var calledNumber = ""
    var userNumber: String?
    var userName: String?
    var isColleague: Bool?
    /// The furthest state already emitted; events never go backwards.
    var emitted: CallState?
    /// Insertion order, for evicting the oldest when the table is full.
    var sequence: Int

    /// The event for `state`, with hostile text cleaned.
    func event(_ state: CallState, answeredElsewhere: Bool = false) -> CallEvent? {
        guard let direction else { return nil }
        return CallEvent(
            callID: linkedID, state: state, direction: direction,
            remoteNumber: remoteNumber, remoteName: remoteName, calledNumber: calledNumber,
            userNumber: userNumber, userName: userName, isColleague: isColleague,
            channel: name, answeredElsewhere: answeredElsewhere)
    }

    /// Takes the connected line (the other party) from an event on this channel, when known.
    mutating func updateConnectedLine(from message: AMIMessage) {
        let number = AMIText.clean(message["ConnectedLineNum"])
        if !number.isEmpty { remoteNumber = number }
        let name = AMIText.clean(message["ConnectedLineName"])
        if !name.isEmpty { remoteName = name }
    }
}

/// Cleaning of text that comes from the PBX (caller ID is typed by strangers).
enum AMIText {
    /// Removes control characters, maps Asterisk's `<unknown>` placeholder and `nil` to "".
    static func clean(_ value: String?) -> String {
        guard let value, value != "<unknown>" else { return "" }
        // Nearly always printable ASCII: keep the string as it is, without a copy.
        if value.utf8.withContiguousStorageIfAvailable(isPrintableASCII) ?? value.utf8.allSatisfy({ (0x20...0x7e).contains($0) }) {
            return value
        }
        var scalars = String.UnicodeScalarView()
        scalars.append(contentsOf: value.unicodeScalars.filter { $0.properties.generalCategory != .control })
        return String(scalars)
    }

    /// Whether every byte is printable ASCII (0x20...0x7E), eight at a time (SWAR: a byte below
    /// 0x20 borrows, one of 0x7F or more carries into its high bit).
    static func isPrintableASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = bytes.baseAddress else { return true }
        let ones: UInt64 = 0x0101_0101_0101_0101
        let high = 0x80 &* ones
        var index = 0
        while index + 8 <= bytes.count {
            let word = UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self)
            guard ((word &- 0x20 &* ones) | (word &+ ones) | word) & high == 0 else { return false }
            index += 8
        }
        while index < bytes.count {
            guard (0x20...0x7E).contains(bytes[index]) else { return false }
            index += 1
        }
        return true
    }

    /// Like `clean`, but `nil` when nothing is left.
    static func cleanOrNil(_ value: String?) -> String? {
        let text = clean(value)
        return text.isEmpty ? nil : text
    }
}
