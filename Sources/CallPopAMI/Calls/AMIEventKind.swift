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

    /// The kind of `message`, or `nil` when it is no event or one the mapper ignores.
    init?(_ message: AMIMessage) {
        guard let kind = message.withValue("Event", { value in value.flatMap(Self.kind(named:)) }) else { return nil }
        self = kind
    }

    /// The kinds by the length of their names: one or two candidates for a name, compared once.
    private static let byLength: [[AMIEventKind]] = allCases.reduce(into: []) { table, kind in
        let length = kind.name.utf8.count
        if table.count <= length { table += Array(repeating: [], count: length + 1 - table.count) }
        table[length].append(kind)
    }

    /// This runs for every event the framer passes.
    private static func kind(named value: UnsafeBufferPointer<UInt8>) -> AMIEventKind? {
        guard value.count < byLength.count else { return nil }
        for kind in byLength[value.count] where AMIBytes.equalsIgnoringCase(value, kind.name) { return kind }
        return nil
    }
}
