public import CallPopCore
public import CallPopConfig
public import CallPopSources
internal import CallPopAMI
internal import CallPopHTTP
internal import CallPopLaunch
internal import CallPopPlatform
public import CallPopDBus
internal import Logging

/// What became of one dial, for the notification, the terminal and the `Dial` reply.
public struct DialResult: Sendable, Hashable {
    /// The path that placed (or tried to place) the call.
    public var path: DialSettings.Path?
    /// The number as dialled.
    public var number: String
    /// Whether the call is on its way (the phone answered, the API accepted it, the program started).
    public var succeeded: Bool
    /// One sentence for the user.
    public var message: String
    /// The placed call's id on the PBX (AMI), which call events carry.
    public var callID: String?

    /// Creates a result.
    public init(path: DialSettings.Path?, number: String, succeeded: Bool, message: String, callID: String? = nil) {
        self.path = path
        self.number = number
        self.succeeded = succeeded
        self.message = message
        self.callID = callID
    }

    /// The result as the agent's `Dial` returns it.
    public var reply: AgentDialReply {
        AgentDialReply(succeeded: succeeded, number: number, path: path?.rawValue ?? "", message: message, callID: callID ?? "")
    }

    /// The result the agent's `Dial` returned.
    public init(_ reply: AgentDialReply) {
        self.init(
            path: DialSettings.Path(rawValue: reply.path), number: reply.number, succeeded: reply.succeeded, message: reply.message,
            callID: reply.callID.isEmpty ? nil : reply.callID)
    }

    /// The result as one JSON object (`callpop dial --json`).
    public var json: String {
        var w = JSONObjectWriter()
        w.add("number", number)
        w.add("path", path?.rawValue ?? "")
        w.add("succeeded", succeeded)
        w.add("message", message)
        w.add("call", ifPresent: callID)
        return w.json
    }
}

/// Places calls by the first path the configuration allows: `Originate` on the AMI
/// session, the HTTP click-to-call API, or a program. Plans (parsing, dial plan, deny
/// rules) before anything is placed, and holds the rate limit.
public struct Dialer: Sendable {
    /// The configuration dials follow.
    public let configuration: Configuration
    /// Its `[dial]` settings.
    public let settings: DialSettings
    /// The AMI session's command channel, when the PBX is reached over AMI.
    public let ami: AMIDialChannel?
    private let environment: [String: String]
    /// An agent run with `--dry-run` places no call either: `Dial` answers what it would do.
    public var dryRun = false

    /// Creates a dialer for a configuration whose `[dial]` is valid (nil otherwise); `ami` is
    /// the running AMI source's channel (or a one-shot's).
    public init?(configuration: Configuration, ami: AMIDialChannel?, environment: [String: String]) {
        guard let settings = configuration.dial else { return nil }
        self.configuration = configuration
        self.settings = settings
        self.ami = ami
        self.environment = environment
    }

    /// The path that would place calls now.
    public var path: DialSettings.Path? { settings.path(amiAvailable: ami != nil) }

    /// Whether the configuration reaches the PBX over AMI (the agent's session, or a one-shot one).
    public static func usesAMI(_ configuration: Configuration) -> Bool {
        if case .ami = configuration.connection { true } else { false }
    }

    /// Parses and plans `input` (a number or a URI): what the PBX would dial.
    public func plan(_ input: String) throws(DialError) -> PlannedDial {
        try settings.plan.plan(input)
    }

    /// What placing `dial` would do, for `--dry-run`: the path and the exact action.
    public func describe(_ dial: PlannedDial, path: DialSettings.Path?) -> [String] {
        let settings = settings
        switch path {
        case .ami?:
            let originate = try? AMIOriginate(
                actionID: AMIOriginate.actionID(1), channel: settings.channel ?? "", context: settings.context ?? "",
                exten: dial.number, callerID: callerID, timeout: settings.ringTimeout)
            return ["AMI Originate of \(settings.channel ?? "") into \(settings.context ?? ""),\(dial.number),1"]
                + (originate?.fields.map { "  \($0.key): \($0.value)" } ?? [])
        case .http?:
            guard let http = settings.http else { return [] }
            do { return ["HTTP click-to-call: " + (try http.request(variables(dial)).lines.joined(separator: "\n"))] } catch {
                return ["HTTP click-to-call refused: \(error.description)"]
            }
        case .app?:
            let argv = appPlan(dial)?.argv ?? []
            return ["program: " + argv.map(Decision.shellQuoted).joined(separator: " ")]
        case nil:
            return ["nothing: no way to place calls is configured (set [dial] context for AMI, url or app)"]
        }
    }

    /// Places `dial` (already planned and, where needed, confirmed).
    public func place(_ dial: PlannedDial) async -> DialResult {
        let settings = settings
        guard let path else {
            return DialResult(path: nil, number: dial.number, succeeded: false,
                              message: "callpop cannot place calls: set [dial] context (AMI), url (HTTP API) or app (a program)")
        }
        if !DialRateLog(environment: environment).admit(perMinute: settings.perMinute) {
            return DialResult(path: path, number: dial.number, succeeded: false,
                              message: "the call to \(dial.number) was not placed: more than \(settings.perMinute) dials in a minute ([dial] rate_limit)")
        }
        switch path {
        case .ami: return await placeOverAMI(dial, settings)
        case .http: return await placeOverHTTP(dial, settings)
        case .app: return placeWithProgram(dial)
        }
    }

    // MARK: Paths

    private var callerID: String? {
        let user = configuration.ruleSet.user
        return AMIOriginate.callerID(name: user.name, number: user.number)
    }

    private func variables(_ dial: PlannedDial) -> CallVariables {
        DialSettings.variables(for: dial, user: configuration.ruleSet.user)
    }

    private func placeOverAMI(_ dial: PlannedDial, _ settings: DialSettings) async -> DialResult {
        guard let ami, let channel = settings.channel, let context = settings.context else {
            return DialResult(path: .ami, number: dial.number, succeeded: false, message: "AMI dialling is not configured")
        }
        let outcome = await ami.dial(AMIDialRequest(
            device: channel, context: context, exten: dial.number, callerID: callerID, timeout: settings.ringTimeout))
        return DialResult(path: .ami, number: dial.number, succeeded: outcome.succeeded, message: outcome.description, callID: outcome.callID)
    }

    private func placeOverHTTP(_ dial: PlannedDial, _ settings: DialSettings) async -> DialResult {
        func failed(_ why: String) -> DialResult {
            DialResult(path: .http, number: dial.number, succeeded: false, message: "the call to \(dial.number) was not placed: \(why)")
        }
        guard let template = settings.http else { return failed("no [dial] url") }
        let call: DialHTTPCall
        do { call = try template.request(variables(dial)) } catch { return failed("the click-to-call URL was refused: \(error.description)") }
        let client = HTTPClient(userAgent: "callpop/\(Version.string)", proxies: ProxyEnvironment(environment: environment))
        defer { client.shutdown() }
        let request = HTTPRequest(
            method: call.method, url: call.url, headers: call.headers, body: call.body.map { Array($0.utf8) },
            timeout: call.timeout, caFile: call.caFile)
        do {
            let response = try await client.send(request)
            guard response.isSuccess else { return failed("the click-to-call API answered HTTP \(response.status)") }
            return DialResult(path: .http, number: dial.number, succeeded: true,
                              message: "the click-to-call API took the call to \(dial.number) (HTTP \(response.status)); your phone rings first")
        } catch {
            return failed("the click-to-call API could not be reached: \(error.message)")
        }
    }

    private func appPlan(_ dial: PlannedDial) -> LaunchPlan? {
        guard let words = settings.app else { return nil }
        var plan = try? PopupTarget.app(words).plan(variables(dial), policy: configuration.ruleSet.launch)
        plan?.environment[TemplateVariable.dialNumber.environmentName] = dial.number
        return plan
    }

    private func placeWithProgram(_ dial: PlannedDial) -> DialResult {
        guard let plan = appPlan(dial), let program = plan.argv.first else {
            return DialResult(path: .app, number: dial.number, succeeded: false, message: "the [dial] app could not be expanded")
        }
        do {
            // The same launcher as popups: no shell, own session, scrubbed descriptors and
            // environment (no secret variables), reaped.
            try ProcessLauncher(baseEnvironment: environment, withholding: configuration.secretEnvironment).launch(plan) { _ in }
            return DialResult(path: .app, number: dial.number, succeeded: true, message: "the call to \(dial.number) was handed to \(program)")
        } catch {
            return DialResult(path: .app, number: dial.number, succeeded: false,
                              message: "the call to \(dial.number) was not placed: \(program): \(error.message)")
        }
    }
}

/// The times of recent dials in `$XDG_STATE_HOME/callpop/dial-times` (mode 600), so the
/// rate limit holds across `callpop dial` processes and the agent alike.
struct DialRateLog {
    let directory: String

    init(environment: [String: String]) {
        let state = environment["XDG_STATE_HOME"].flatMap { $0.hasPrefix("/") ? $0 : nil }
            ?? (environment["HOME"] ?? "/tmp") + "/.local/state"
        directory = state + "/callpop"
    }

    /// Records a dial now and returns true, or false when `perMinute` dials were made in the last minute.
    func admit(perMinute: Int) -> Bool {
        guard perMinute > 0 else { return true }
        let path = directory + "/dial-times"
        let now = WallClock.now
        let text = ((try? PrivateFiles.read(path, limit: 4096)) ?? nil).map { String(decoding: $0, as: UTF8.self) } ?? ""
        var recent = text.split(separator: "\n").compactMap { Int64($0) }.filter { now - $0 < 60 && $0 <= now }
        guard recent.count < perMinute else { return false }
        recent.append(now)
        try? PrivateFiles.makeDirectory(directory)
        try? PrivateFiles.write(Array(recent.suffix(60).map(String.init).joined(separator: "\n").utf8), to: path)
        return true
    }
}

extension Dialer {
    /// The agent's `Dial`: plans `input`, places it, logs the result and returns it as JSON;
    /// a refused number throws `DBusError(.refused)` with the reason.
    func placeForBus(_ input: String, logger: Logger) async throws(DBusError) -> AgentDialReply {
        let planned: PlannedDial
        do { planned = try plan(input) } catch {
            logger.warning("dial refused: \(error.message)")
            throw DBusError(.refused, error.message)
        }
        if dryRun {
            let would = "dry run: nothing is placed; would dial \(planned.number)\(path.map { " via \($0.rawValue)" } ?? "")"
            logger.info("\(would)")
            throw DBusError(.refused, would)
        }
        let result = await place(planned)
        if result.succeeded { logger.info("dial \(planned.number): \(result.message)") } else { logger.warning("dial \(planned.number): \(result.message)") }
        return result.reply
    }
}
