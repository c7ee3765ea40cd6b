/// `[dial]`: how `callpop dial` turns a number into a call, validated.
public struct DialSettings: Sendable, Hashable {
    /// The number plan, rewrites, denials and outside-line prefix.
    public var plan: DialPlan
    /// AMI: the dialplan context the answered phone dials from; AMI dialling is off without it.
    public var context: String?
    /// AMI: the device to ring first (`PJSIP/201`).
    public var channel: String?
    /// AMI: how long the user's phone may ring.
    public var ringTimeout: Duration
    /// Ask before dialling a number from a link or the selection.
    public var confirm: Bool
    /// The HTTP click-to-call request, if configured.
    public var http: DialHTTPTemplate?
    /// The program that places calls, if configured (one template per argv word).
    public var app: [Template]?
    /// Dials allowed in any 60 seconds; 0 for no limit.
    public var perMinute: Int

    /// Creates settings; the defaults are those of the configuration reference.
    public init(
        plan: DialPlan, context: String? = nil, channel: String? = nil, ringTimeout: Duration = .seconds(30),
        confirm: Bool = true, http: DialHTTPTemplate? = nil, app: [Template]? = nil, perMinute: Int = 6
    ) {
        self.plan = plan
        self.context = context
        self.channel = channel
        self.ringTimeout = ringTimeout
        self.confirm = confirm
        self.http = http
        self.app = app
        self.perMinute = perMinute
    }

    /// The ways a call can be placed, in the order they are preferred.
    public enum Path: String, Sendable, Hashable, CaseIterable {
        /// `Originate` on the AMI session.
        case ami
        /// The HTTP click-to-call API.
        case http
        /// A program (a softphone's command line).
        case app
    }

    /// The path that places calls: AMI when the PBX is reached over AMI and `context` is
    /// set, else HTTP when `url` is set, else the program; nil when none is configured.
    public func path(amiAvailable: Bool) -> Path? {
        if amiAvailable, context != nil, channel != nil { return .ami }
        if http != nil { return .http }
        if app != nil { return .app }
        return nil
    }

    /// The template values for one dial: `{DIALNUM}` the number as dialled, `{CALLERNUM}`
    /// the number called (international form when known), the user's own variables.
    public static func variables(for dial: PlannedDial, user: UserIdentity) -> CallVariables {
        let called = dial.e164 ?? dial.input.display
        let event = CallEvent(
            callID: "dial", state: .ringing, direction: .outgoing, remoteNumber: called, remoteName: "",
            calledNumber: called)
        return CallVariables(event: event, user: user).adding([.dialNumber: dial.number])
    }
}

/// `[dial] url`, `method`, `form`/`json`, `headers`: a hosted PBX's click-to-call API.
public struct DialHTTPTemplate: Sendable, Hashable {
    /// `GET`, `POST`, `PUT` or `PATCH`.
    public var method: String
    /// The URL; its scheme and host are fixed text (checked at load).
    public var url: Template
    /// The body, encoded for its type like a callback's.
    public var body: CallbackBody?
    /// Header templates (values cleaned of line breaks).
    public var headers: [HeaderTemplate]
    /// Headers whose values are secrets (`token_file`, `secret_headers`).
    public var secretHeaders: [HeaderField]
    /// How long the request may take.
    public var timeout: Duration
    /// CAs to trust for the API.
    public var caFile: String?

    /// Creates a template.
    public init(
        method: String = "POST", url: Template, body: CallbackBody? = nil, headers: [HeaderTemplate] = [],
        secretHeaders: [HeaderField] = [], timeout: Duration = .seconds(10), caFile: String? = nil
    ) {
        self.method = method
        self.url = url
        self.body = body
        self.headers = headers
        self.secretHeaders = secretHeaders
        self.timeout = timeout
        self.caFile = caFile
    }

    /// The request for one dial: values percent-encoded in the URL and a form body,
    /// JSON-escaped in a JSON body, cleaned in headers, exactly as callbacks do; the URL
    /// must still be `http(s)` with the configured host.
    public func request(_ variables: CallVariables) throws(URLCheck.Refusal) -> DialHTTPCall {
        let expanded = try ExpandedHTTPRequest(url: url, body: body, headers: headers, variables: variables)
        return DialHTTPCall(
            method: method, url: expanded.url, headers: expanded.headers + secretHeaders, body: expanded.body, timeout: timeout,
            caFile: caFile)
    }
}

/// One expanded click-to-call request, ready for the HTTP client.
public struct DialHTTPCall: Sendable, Hashable {
    /// The method.
    public var method: String
    /// The URL.
    public var url: String
    /// The headers, secrets marked.
    public var headers: [HeaderField]
    /// The body.
    public var body: String?
    /// How long it may take.
    public var timeout: Duration
    /// CAs to trust.
    public var caFile: String?

    /// `POST https://…` with the body, secrets masked: what `--dry-run` shows.
    public var lines: [String] {
        ["\(method) \(url)"] + headers.map { "  \($0.name): \($0.shownValue)" }
            + (body.map { ["  " + UntrustedText.clean($0, for: .logLine)] } ?? [])
    }
}
