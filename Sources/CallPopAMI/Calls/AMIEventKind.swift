/// The events the call mapper acts on; every other event (most of the stream:
/// `VarSet`, `Newexten`, `DeviceStateChange`, ...) is skipped without making a string.
enum AMIEventKind: CaseIterable {
    case newChannel, dialBegin, dialState, dialEnd, newState, newConnectedLine, bridgeEnter, rename, hangup

    /// The `Event` value, as Asterisk spells it (compared ignoring case).
    var name: String {
        switch self {
        case .newChannel: "Newchannel"
        case .dialBegin: "DialBegin"
        case .dialState: "DialState"
        case .dialEnd: "DialEnd"
        case .newState: "Newstate"
        case .newConnectedLine: "NewConnectedLine"
        case .bridgeEnter: "BridgeEnter"
        case .rename: "Rename"
        case .hangup: "Hangup"
        }
    }

    /// The kind of `message`, or `nil` when it is no event or one the mapper ignores.
    init?(_ message: AMIMessage) {
        guard let kind = message.withValue("Event", { value in
            value.flatMap { value in Self.allCases.first { AMIBytes.equalsIgnoringCase(value, $0.name) } }
        }) else { return nil }
        self = kind
    }
}
