/// The events the call mapper acts on; every other event (most of the stream:
/// `VarSet`, `Newexten`, `DeviceStateChange`, ...) is skipped without making a string.
enum AMIEventKind: CaseIterable {
    case newChannel, dialBegin, dialState, dialEnd, newState, newConnectedLine, bridgeEnter, rename, hangup
    case originateResponse

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
        case .originateResponse: "OriginateResponse"
        }
    }

    /// The names, lower-cased, with their lengths apart: most events are rejected by length alone.
    private static let table: [(count: Int, name: [UInt8], kind: AMIEventKind)] = allCases.map {
        ($0.name.utf8.count, Array($0.name.lowercased().utf8), $0)
    }

    /// The kind of `message`, or `nil` when it is no event or one the mapper ignores.
    init?(_ message: AMIMessage) {
        guard let kind = message.withValue("Event", { value in value.flatMap(Self.kind(named:)) }) else { return nil }
        self = kind
    }

    private static func kind(named value: UnsafeBufferPointer<UInt8>) -> AMIEventKind? {
        table.withUnsafeBufferPointer { table in
            for entry in table where entry.count == value.count
                && entry.name.withUnsafeBufferPointer({ AMIBytes.equalsIgnoringCase(value, $0) })
            {
                return entry.kind
            }
            return nil
        }
    }
}
