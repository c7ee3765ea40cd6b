/// The events a callback can be sent for.
public enum CallbackEventKind: String, Sendable, Hashable, CaseIterable, Codable {
    /// A call is first seen.
    case new
    /// A live call changed its state (answered) or its other party (transfer, connected line).
    case updated
    /// The call is over.
    case ended
}

/// How a call ended, for `{DISPOSITION}`.
public enum CallDisposition: String, Sendable, Hashable, CaseIterable, Codable {
    /// The user answered.
    case answered
    /// Nobody answered (or, outgoing, the far end did not).
    case missed
    /// Another member of a ring group or queue took it.
    case answeredElsewhere = "answered-elsewhere"
    /// The called party was busy or declined.
    case busy
    /// The call could not be put through.
    case failed
}

/// One header a request carries (a callback's, an HTTP request's); a secret's value is
/// sent but never shown.
public struct HeaderField: Sendable, Hashable {
    /// The name, e.g. `Authorization`.
    public var name: String
    /// The value.
    public var value: String
    /// A token or key: shown as `****`, never logged, never written to disk.
    public var isSecret: Bool

    /// Creates a header.
    public init(_ name: String, _ value: String, isSecret: Bool = false) {
        self.name = name
        self.value = value
        self.isSecret = isSecret
    }

    /// The value as shown: secrets masked.
    public var shownValue: String { isSecret ? "****" : value }

    /// Whether `name` is a header name (an RFC 9110 token).
    public static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.allSatisfy(isTokenByte)
    }

    /// Whether `value` can be sent: no line breaks, no NUL, no other control except tab.
    public static func isValidValue(_ value: String) -> Bool {
        value.utf8.allSatisfy { $0 == 0x09 || ($0 >= 0x20 && $0 != 0x7F) }
    }

    /// Whether `byte` may stand in a token (a header name, a method).
    public static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"): true
        default: Array("!#$%&'*+-.^_`|~".utf8).contains(byte)
        }
    }
}

/// A header whose value is a template.
public struct HeaderTemplate: Sendable, Hashable {
    /// The name.
    public var name: String
    /// The value, expanded per call.
    public var value: Template

    /// Creates a header template.
    public init(name: String, value: Template) {
        self.name = name
        self.value = value
    }
}

/// The body a callback sends with `POST`, `PUT` or `PATCH`.
public enum CallbackBody: Sendable, Hashable {
    /// `application/x-www-form-urlencoded`: `name={VAR}&…`, values percent-encoded.
    case form(Template)
    /// `application/json`: a JSON text whose placeholders are escaped for where they stand.
    case json(JSONBodyTemplate)

    /// The `Content-Type` it is sent with.
    public var contentType: String {
        switch self {
        case .form: "application/x-www-form-urlencoded"
        case .json: "application/json"
        }
    }
}

/// One `[[callback]]`: an HTTP request made when a call is new, updated or ended, so a CRM
/// logs the call without anyone clicking (the vendor's "Callback URLs", per user).
public struct CallbackRule: Sendable, Hashable, Identifiable {
    /// A stable id (in the spool, the decision log and the `Idempotency-Key`).
    public var id: String
    /// The name the user gave it.
    public var name: String
    /// The events it is sent for.
    public var events: Set<CallbackEventKind>
    /// Which calls, by direction.
    public var direction: DirectionFilter
    /// `GET`, `POST`, `PUT` or `PATCH`.
    public var method: String
    /// The URL, with the popups' variables, number forms and encoding.
    public var url: Template
    /// The body for methods that carry one.
    public var body: CallbackBody?
    /// Header templates (values expanded, never encoded: variables are cleaned of line breaks).
    public var headers: [HeaderTemplate]
    /// Headers whose values are secrets read from a file or the environment.
    public var secretHeaders: [HeaderField]
    /// How long one attempt may take.
    public var timeout: Duration
    /// How long a request may wait for delivery (retries, spool) before it is dropped.
    public var maximumAge: Duration
    /// A PEM file of CAs to trust for the endpoint.
    public var caFile: String?
    /// Only calls whose dialled number (DID, queue) matches one, when non-empty.
    public var calledNumbers: [NumberPattern]
    /// Only calls whose other party matches one, when non-empty.
    public var remoteNumbers: [NumberPattern]
    /// Also for calls with colleagues (off by default, as for automatic popups).
    public var includeColleagues: Bool
    /// Disabled callbacks are kept and never sent.
    public var enabled: Bool

    /// Creates a rule; the defaults are those of the configuration reference.
    public init(
        id: String? = nil, name: String, events: Set<CallbackEventKind> = Set(CallbackEventKind.allCases),
        direction: DirectionFilter = .any, method: String = "GET", url: Template, body: CallbackBody? = nil,
        headers: [HeaderTemplate] = [], secretHeaders: [HeaderField] = [], timeout: Duration = .seconds(5),
        maximumAge: Duration = .seconds(86_400), caFile: String? = nil, calledNumbers: [NumberPattern] = [],
        remoteNumbers: [NumberPattern] = [], includeColleagues: Bool = false, enabled: Bool = true
    ) {
        self.id = id ?? PopupRule.slug(name)
        self.name = name
        self.events = events
        self.direction = direction
        self.method = method
        self.url = url
        self.body = body
        self.headers = headers
        self.secretHeaders = secretHeaders
        self.timeout = timeout
        self.maximumAge = maximumAge
        self.caFile = caFile
        self.calledNumbers = calledNumbers
        self.remoteNumbers = remoteNumbers
        self.includeColleagues = includeColleagues
        self.enabled = enabled
    }
}
