internal import CallPopAMI
internal import CallPopSIP
internal import CallPopCore

/// Turns `[pbx]` into a validated connection for its source, so a bad URL or a
/// missing password is a load-time `FILE:LINE:COLUMN` error, not a failure at run time.
extension ConfigBuilder {
    mutating func buildConnection(_ pbx: PBXSettings, user: UserIdentity) -> PBXConnection {
        let t = table("pbx")
        let layer = t["source"].map { layers[$0.layer] } ?? layers.last
        func at(_ key: String) -> ConfigLayer? { t[key].map { layers[$0.layer] } ?? layer }
        switch pbx.source {
        case .none:
            return .none
        case .events:
            guard let path = pbx.string("path") else {
                report(layer, "pbx", "[pbx] source = \"events\" needs path = \"/path/to/file-or-fifo\"")
                return .none
            }
            return .events(path: expandHome(path))
        case .stream:
            return buildStreamConnection(pbx)
        case .ami:
            guard let url = pbx.string("url") else {
                report(layer, "pbx", "[pbx] source = \"ami\" needs url = \"ami://pbx.example.com:5038\" (or amis:// for TLS)")
                return .none
            }
            if url.contains("@") {
                // Never echo a URL that may carry a password into the terminal or the journal.
                report(at("url"), "pbx.url", "url must not carry a user or password: use username and password_file")
            } else {
                do throws(AMIError) { _ = try AMIEndpoint(url: url) } catch { report(at("url"), "pbx.url", error.message) }
            }
            guard let username = pbx.string("username"), !username.isEmpty else {
                report(layer, "pbx", "[pbx] source = \"ami\" needs username = \"…\" (the manager.conf user)")
                return .none
            }
            guard let secret = pbx.secret, !secret.isEmpty else {
                // A password_file that could not be used was reported where it stands.
                if t["password_file"] != nil { return .none }
                report(layer, "pbx", "no AMI password: set password_file = \"~/.config/callpop/ami.secret\" (mode 600) or the \(pbxPasswordVariable) environment variable")
                return .none
            }
            let devices = pbx.strings("devices") ?? AMIDeviceMatcher.defaultDevices(forNumber: user.number)
            if devices.isEmpty { report(at("devices"), "pbx.devices", "devices must name at least one device, e.g. [\"PJSIP/\(user.number)\"]") }
            let ping = positiveSeconds(pbx, "ping_interval", default: 20, at: at("ping_interval"))
            let reconnect = positiveSeconds(pbx, "reconnect_max", default: 60, at: at("reconnect_max"))
            return .ami(AMISourceConfiguration(
                url: url, username: username, secret: secret, caFile: pbx.string("ca_file").map(expandHome),
                devices: devices, trunks: pbx.strings("trunks") ?? [], keepaliveInterval: .seconds(ping),
                reconnectMaximum: .seconds(reconnect)))
        case .sip:
            // Never echo a URI that carries a password: refuse it where it stands, in every SIP setting.
            var passwordsRefused = false
            func refusePassword(_ key: String, _ text: String, _ message: String) {
                let lower = text.lowercased()
                let uri = lower.hasPrefix("sip:") || lower.hasPrefix("sips:") ? text : "sip:" + text
                guard URIUserinfo.hasPassword(uri) else { return }
                report(at(key), "pbx.\(key)", message)
                passwordsRefused = true
            }
            if let uri = pbx.string("uri") {
                refusePassword("uri", uri, "uri must not carry a password (sip:user:password@…): use password_file")
            }
            if let proxy = pbx.string("outbound_proxy") {
                refusePassword("outbound_proxy", proxy, "outbound_proxy must not carry a password (sip:user:password@…): write host[:port] or sip:host[:port]")
            }
            if let watched = (pbx.strings("extensions") ?? []).first(where: { URIUserinfo.hasPassword($0.contains(":") ? $0 : "sip:" + $0) }) {
                refusePassword("extensions", watched, "extensions must not carry a password (sip:user:password@…): every subscription uses the account's password_file")
            }
            guard !passwordsRefused else { return .none }
            guard let uri = pbx.string("uri") else {
                report(layer, "pbx", "[pbx] source = \"sip\" needs uri = \"sip:\(user.number.isEmpty ? "201" : user.number)@pbx.example.com\" (your own SIP address)")
                return .none
            }
            guard let secret = pbx.secret, !secret.isEmpty else {
                if t["password_file"] != nil { return .none }
                report(layer, "pbx", "no SIP password: set password_file = \"~/.config/callpop/sip.secret\" (mode 600) or the \(pbxPasswordVariable) environment variable")
                return .none
            }
            do throws(SIPError) {
                return .sip(try SIPSourceConfiguration.validated(
                    uri: uri, username: pbx.string("username"), password: secret, transport: pbx.string("transport"),
                    outboundProxy: pbx.string("outbound_proxy"), expires: pbx.integer("expires"),
                    extensions: pbx.strings("extensions") ?? [], localPort: pbx.integer("local_port"),
                    caFile: pbx.string("ca_file").map(expandHome)))
            } catch {
                let key = error.key ?? "pbx"
                report(at(String(key.dropFirst("pbx.".count))), key, error.detail)
                return .none
            }
        }
    }

    /// `~/` is the user's home, as in the documented examples (no shell expands it for us).
    func expandHome(_ path: String) -> String {
        path.hasPrefix("~/") ? (environment["HOME"] ?? "") + path.dropFirst() : path
    }

    /// The environment variable the PBX password is (or would be) read from.
    var pbxPasswordVariable: String {
        if case .string(let name)? = table("pbx")["password_env"]?.value { return name }
        return ConfigSchema.defaultPasswordEnvironment
    }

    private mutating func positiveSeconds(_ pbx: PBXSettings, _ key: String, default value: Int, at layer: ConfigLayer?) -> Int {
        guard let given = pbx.values[key] else { return value }
        guard case .integer(let seconds) = given, seconds > 0 else {
            report(layer, "pbx.\(key)", "\(key) must be a whole number of seconds above 0")
            return value
        }
        return seconds
    }
}
