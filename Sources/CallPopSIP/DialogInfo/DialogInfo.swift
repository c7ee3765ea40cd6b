/// A dialog-info document (RFC 4235 section 4.1): the dialogs of one watched entity.
public struct DialogInfo: Sendable, Hashable {
    /// Whether the document lists every dialog or only the changed ones.
    public enum Completeness: String, Sendable, Hashable {
        /// Every dialog of the entity; dialogs not listed are gone.
        case full
        /// Only changed dialogs.
        case partial
    }

    /// The subscription-wide counter; documents with a version not above the last one are stale.
    public var version: UInt64
    /// `full` or `partial`.
    public var completeness: Completeness
    /// The watched entity URI as the server wrote it.
    public var entity: String
    /// The dialogs, in document order.
    public var dialogs: [Dialog]

    /// Creates a document.
    public init(version: UInt64, completeness: Completeness, entity: String, dialogs: [Dialog]) {
        self.version = version
        self.completeness = completeness
        self.entity = entity
        self.dialogs = dialogs
    }

    /// The RFC 4235 dialog states; servers differ in case (Kamailio sends `Trying`).
    public enum State: String, Sendable, Hashable {
        /// Initiator sent the INVITE.
        case trying
        /// Initiator got a 1xx without a tag.
        case proceeding
        /// Ringing: a 1xx with a tag.
        case early
        /// Answered.
        case confirmed
        /// Over.
        case terminated

        /// Parses a state case-insensitively.
        public init?(text: String) {
            self.init(rawValue: SIPText.trim(text).lowercased())
        }
    }

    /// `direction`: who sent the INVITE, seen from the entity.
    public enum Direction: String, Sendable, Hashable {
        /// The entity placed the call.
        case initiator
        /// The entity was called.
        case recipient
    }

    /// One side of a dialog (`<local>` or `<remote>`).
    public struct Participant: Sendable, Hashable {
        /// The `<identity>` URI text, trimmed.
        public var identity: String?
        /// The `display` attribute of `<identity>`, control characters removed.
        public var display: String?
        /// The `uri` attribute of `<target>`.
        public var target: String?

        /// Creates a participant.
        public init(identity: String? = nil, display: String? = nil, target: String? = nil) {
            self.identity = identity
            self.display = display
            self.target = target
        }
    }

    /// One `<dialog>` element.
    public struct Dialog: Sendable, Hashable {
        /// The `id` attribute: unique per dialog on most servers, the extension on Asterisk.
        public var id: String
        /// The `call-id` attribute, when sent.
        public var callID: String?
        /// The `local-tag` attribute.
        public var localTag: String?
        /// The `remote-tag` attribute.
        public var remoteTag: String?
        /// The `direction` attribute, when sent and known.
        public var direction: Direction?
        /// The `<state>` content; `nil` when missing or not an RFC 4235 state.
        public var state: State?
        /// The `event` attribute of `<state>` (`cancelled`, `rejected`, `replaced`, ...), lowercase.
        public var stateEvent: String?
        /// The `code` attribute of `<state>`.
        public var stateCode: Int?
        /// `<local>`.
        public var local: Participant
        /// `<remote>`.
        public var remote: Participant

        /// Creates a dialog.
        public init(
            id: String, callID: String? = nil, localTag: String? = nil, remoteTag: String? = nil,
            direction: Direction? = nil, state: State? = nil, stateEvent: String? = nil, stateCode: Int? = nil,
            local: Participant = Participant(), remote: Participant = Participant()
        ) {
            self.id = id
            self.callID = callID
            self.localTag = localTag
            self.remoteTag = remoteTag
            self.direction = direction
            self.state = state
            self.stateEvent = stateEvent
            self.stateCode = stateCode
            self.local = local
            self.remote = remote
        }
    }
}
