import CallPopConfig
internal import CallPopCore
internal import CallPopAMI
internal import CallPopSIP
internal import CallPopSources
internal import CallPopHTTP
internal import CallPopPlatform
internal import Glibc

/// Runs the configured source — the real AMI client, SIP subscriber or event stream — for a few seconds and
/// turns what it reports into doctor checks: the PBX reachable, the login or subscription
/// accepted, the user's extension seen.
enum PBXProbe {
    /// What the source said while it ran.
    actor Listener {
        private(set) var reports: [SourceReport] = []
        private(set) var connectedAt: ContinuousClock.Instant?

        func heard(_ report: SourceReport) {
            reports.append(report)
            if report.connection == .connected, connectedAt == nil { connectedAt = .now }
        }

        var failed: Bool { reports.contains { $0.connection == .failed } }
        var device: String? { reports.lazy.compactMap(\.deviceSeen).first }
    }

    /// The checks for `connection`, probing for at most `within`.
    static func checks(
        _ connection: PBXConnection, user: String, within: Duration, environment: [String: String] = [:]
    ) async -> [DoctorCheck] {
        switch connection {
        case .none:
            return [DoctorCheck(
                "PBX", .fail, "no PBX configured: callpop has nothing to follow",
                fix: "set [pbx] source = \"ami\" or \"sip\" with its address (man callpop.toml, /usr/share/doc/callpop/pbx/)")]
        case .events(let path):
            return [eventsCheck(path)]
        case .ami(var settings):
            settings.listDevices = true
            settings.responseTimeout = min(settings.responseTimeout, within)
            return await probe(AMIClient(configuration: settings), kind: .ami(settings.url, settings.devices), within: within)
        case .sip(let settings):
            return await probe(SIPDialogSource(configuration: settings), kind: .sip(settings.uri.raw), within: within)
        case .stream(let settings):
            let client = HTTPClient(userAgent: "callpop/\(Version.string)", proxies: ProxyEnvironment(environment: environment))
            return await probe(HTTPEventStreamSource(configuration: settings, client: client), kind: .stream(settings.url), within: within)
        }
    }

    enum Kind {
        /// Whether the probe waits for the PBX to name one of the user's devices (AMI only).
        var waitsForDevice: Bool { if case .ami = self { true } else { false } }

        case ami(String, [String])
        case sip(String)
        case stream(String)
    }

    private static func probe(_ source: any CallEventSource, kind: Kind, within: Duration) async -> [DoctorCheck] {
        let listener = Listener()
        let run = Task { () -> String? in
            do {
                try await source.run(emit: { _ in }, report: { await listener.heard($0) })
                return nil
            } catch {
                return "\(error)"
            }
        }
        // Until the answer is clear: the extension seen, a refusal, a failed connection
        // attempt (the source would only retry), or the time is up.
        let deadline = ContinuousClock.now + within
        while ContinuousClock.now < deadline {
            let failed = await listener.failed
            let device = await listener.device
            let lost = await listener.reports.contains { $0.connection == .disconnected }
            if failed || device != nil || lost { break }
            // SIP and a bridge's stream have no extension to wait for: connected is the answer.
            if let connected = await listener.connectedAt, !kind.waitsForDevice, ContinuousClock.now > connected + .milliseconds(200) { break }
            try? await Task.sleep(for: .milliseconds(50))
        }
        run.cancel()
        let thrown = await run.value
        return verdicts(await listener.reports, thrown: thrown, kind: kind, within: within)
    }

    /// Checks from what the source reported (pure, for the tests).
    static func verdicts(_ reports: [SourceReport], thrown: String?, kind: Kind, within: Duration) -> [DoctorCheck] {
        let connected = reports.first { $0.connection == .connected }
        let failure = reports.last { $0.connection == .failed }?.message ?? thrown
        let lost = reports.last { $0.connection == .disconnected }.map { HealthStateMachine.reason($0.message) }
        var checks: [DoctorCheck] = []
        switch kind {
        case .ami(let url, let devices):
            if connected == nil, failure == nil {
                checks.append(DoctorCheck(
                    "PBX", .fail, lost ?? "no answer from \(url) within \(within)",
                    fix: "check that the PBX runs, that [pbx] url is its AMI address and port, and that AMI is enabled (manager.conf: enabled = yes, bindaddr)"))
                return checks
            }
            checks.append(DoctorCheck("PBX", .ok, "\(url) answers"))
            if let failure, connected == nil {
                checks.append(DoctorCheck(
                    "login", .fail, failure,
                    fix: "check [pbx] username and the password (password_file or $CALLPOP_PBX_PASSWORD) against manager.conf"))
                return checks
            }
            checks.append(DoctorCheck("login", .ok, connected?.message ?? "accepted"))
            if let device = reports.lazy.compactMap({ $0.message.hasPrefix("the PBX knows") ? $0.message : nil }).first {
                checks.append(DoctorCheck("extension", .ok, device))
            } else {
                checks.append(DoctorCheck(
                    "extension", .warn, "the PBX named none of \(devices.joined(separator: ", ")) within \(within)",
                    fix: "check [user] number, or list your phone's devices in [pbx] devices (asterisk -rx 'core show hints'); the AMI user needs read = call"))
            }
        case .sip(let uri):
            if connected == nil {
                if let failure {
                    checks.append(DoctorCheck("PBX", .ok, "\(uri): the SIP server answers"))
                    checks.append(DoctorCheck(
                        "subscription", .fail, failure,
                        fix: "check [pbx] username and password, and that the PBX allows dialog subscriptions (BLF) for your extension"))
                } else {
                    checks.append(DoctorCheck(
                        "PBX", .fail, lost ?? "no answer from \(uri) within \(within)",
                        fix: "check that the SIP server runs and that [pbx] uri (and transport, outbound_proxy) reach it"))
                }
                return checks
            }
            checks.append(DoctorCheck("PBX", .ok, "\(uri): the SIP server answers"))
            checks.append(DoctorCheck("subscription", .ok, connected?.message ?? "accepted"))
            // A server accepts a dialog subscription only for an extension it has.
            checks.append(DoctorCheck("extension", .ok, "the server took the subscription to \(uri)"))
        case .stream(let url):
            guard connected != nil else {
                checks.append(DoctorCheck(
                    "PBX", .fail, failure ?? lost ?? "no answer from the event stream at \(url) within \(within)",
                    fix: "check that the bridge runs, that [pbx] url (or socket) reaches it, and its token (token_file)"))
                return checks
            }
            checks.append(DoctorCheck("PBX", .ok, "the event stream at \(url) answers"))
        }
        return checks
    }

    /// The configured NDJSON source: a FIFO its writer opens, never read here (that would take the agent's events).
    static func eventsCheck(_ path: String) -> DoctorCheck {
        var st = stat()
        guard stat(path, &st) == 0 else {
            return DoctorCheck("PBX", .fail, "the event source \(path) does not exist", fix: "create it: mkfifo -m 600 '\(path)', and point your event writer at it")
        }
        switch st.st_mode & S_IFMT {
        case S_IFIFO:
            return DoctorCheck("PBX", .ok, "events from the FIFO \(path) (its writers may come and go)")
        case S_IFREG:
            return DoctorCheck(
                "PBX", .warn, "\(path) is a regular file: callpop reads it once, then no more calls arrive",
                fix: "use a FIFO: mkfifo -m 600 '\(path)'")
        default:
            return DoctorCheck("PBX", .fail, "\(path) is neither a FIFO nor a file", fix: "point [pbx] path at a FIFO (mkfifo)")
        }
    }
}
