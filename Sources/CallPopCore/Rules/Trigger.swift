/// What makes a popup rule fire.
public enum Trigger: String, Sendable, Hashable, CaseIterable, Codable {
    /// Nothing opens by itself; the rule is offered as an action on the call's notification.
    case onClick = "on-click"
    /// An incoming call reaches the ringing state.
    case ringing
    /// The user places a call (the outgoing call is in its ringing state).
    case callGeneration = "call-generation"
    /// The call is answered.
    case answer

    /// Whether the trigger opens things by itself (and so is skipped for colleague calls).
    public var isAutomatic: Bool { self != .onClick }

    /// The directions this trigger can be used with.
    public var allowedDirections: Set<DirectionFilter> {
        switch self {
        case .onClick, .answer: [.incoming, .outgoing, .any]
        case .ringing: [.incoming]
        case .callGeneration: [.outgoing]
        }
    }

    /// The automatic trigger a call reaching `state` in `direction` causes, if any.
    public static func automatic(for state: CallState, direction: CallDirection) -> Trigger? {
        switch (state, direction) {
        case (.ringing, .incoming): .ringing
        case (.ringing, .outgoing): .callGeneration
        case (.answered, _): .answer
        case (.ended, _): nil
        }
    }
}

/// Which calls a rule applies to by direction.
public enum DirectionFilter: String, Sendable, Hashable, CaseIterable, Codable {
    /// Incoming calls only.
    case incoming
    /// Outgoing calls only.
    case outgoing
    /// Both directions.
    case any

    /// Whether a call in `direction` passes this filter.
    public func admits(_ direction: CallDirection) -> Bool {
        switch self {
        case .any: true
        case .incoming: direction == .incoming
        case .outgoing: direction == .outgoing
        }
    }
}
