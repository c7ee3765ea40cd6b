/// A phone number as the user (or a link, or a selection) gave it, parsed but not yet
/// turned into what the PBX dials: that is the `DialPlan`'s work.
public struct DialNumber: Sendable, Hashable {
    /// Where the number came from.
    public enum Source: String, Sendable, Hashable, CaseIterable {
        /// Typed: `+44 20 7123 4567`, `(020) 7123-4567`, `201`.
        case typed
        /// A `tel:` URI (RFC 3966).
        case tel
        /// A `callto:` URI.
        case callto
        /// A `sip:` or `sips:` URI's user part.
        case sip
        /// The first phone number found in a text (the selection).
        case text
    }

    /// The digits without separators: for a global number the country code and the
    /// national number (no `+`); otherwise digits as typed, possibly with `*` and `#`.
    public var digits: String
    /// `true` for a global number: `+…` typed, or a local `tel:` number with a global
    /// `phone-context`. `digits` then start with the country code and hold only 0-9.
    public var isGlobal: Bool
    /// The domain of a `;phone-context=` that names a private numbering plan (lower-cased).
    public var domainContext: String?
    /// An extension of the called party's own PBX (`;ext=22`, `x22`, `ext. 22`), to ask
    /// for once the call is answered. It is not dialled: the PBX dials `digits` only.
    public var remoteExtension: String?
    /// Where the number came from.
    public var source: Source

    /// Creates a number.
    public init(
        digits: String, isGlobal: Bool, domainContext: String? = nil, remoteExtension: String? = nil,
        source: Source = .typed
    ) {
        self.digits = digits
        self.isGlobal = isGlobal
        self.domainContext = domainContext
        self.remoteExtension = remoteExtension
        self.source = source
    }

    /// The number in E.164 form (`+442071234567`) when it is global, else `digits`.
    public var display: String { isGlobal ? "+" + digits : digits }

    /// The most digits of an E.164 number (ITU-T E.164, 6.1).
    public static let maxGlobalDigits = 15
    /// The fewest digits of a global number (country code and the shortest national numbers).
    public static let minGlobalDigits = 7
    /// The most characters of a number that is not global.
    public static let maxLocalDigits = 20
    /// The most UTF-8 bytes of an input (a URI with its parameters); longer input is refused unread.
    public static let maxInputBytes = 512
    /// The most digits of an extension of the called party (`;ext=`).
    public static let maxRemoteExtensionDigits = 10
}
