internal import CallPopCore

/// `[colleagues] url` (a colleague directory) and `[provisioning] url` (rules from an
/// administrator): things fetched over HTTP and refreshed, each with its secrets and CAs.
extension ConfigBuilder {
    /// The directory of `[colleagues]`, when it has a `url`.
    mutating func buildColleagueDirectory() -> RemoteResource? {
        buildRemote("colleagues", user: nil)
    }

    /// `[provisioning]`, when it has a `url`; `{USERNUM}` and `{USERNAME}` are expanded for `user`.
    mutating func buildProvisioning(user: UserIdentity) -> RemoteResource? {
        let t = table("provisioning")
        checkKeys("provisioning", ConfigSchema.provisioning, t)
        if !t.isEmpty, t["url"] == nil { report(layers[t.first!.value.layer], "provisioning", "[provisioning] needs url = \"https://…\"") }
        return buildRemote("provisioning", user: user)
    }

    private mutating func buildRemote(_ name: String, user: UserIdentity?) -> RemoteResource? {
        let t = table(name)
        guard let entry = t["url"] else { return nil }
        let layer = layers[entry.layer]
        guard let text = string(t, name, "url"),
              let template = parseTemplate(text, path: "\(name).url", layer: layer)
        else { return nil }
        let allowed: Set<TemplateVariable> = user == nil ? [] : [.userNumber, .userName]
        if let other = template.variables.first(where: { !allowed.contains($0) }) {
            let hint = user == nil ? "the directory URL takes no variables" : "only {USERNUM} and {USERNAME} are known here"
            report(layer, "\(name).url", "{\(other.rawValue)} cannot be used in [\(name)] url: \(hint)")
            return nil
        }
        checkStaticURL(template, path: "\(name).url", layer: layer, allowedSchemes: ["http", "https"])
        let identity = user ?? UserIdentity(number: "")
        let variables = CallVariables(event: CallEvent(callID: "", state: .ringing, direction: .incoming), user: identity)
        let url: String
        do {
            url = try template.expandURL(variables)
        } catch {
            report(layer, "\(name).url", "url: \(error.description)")
            return nil
        }
        var resource = RemoteResource(url: url)
        resource.headers = secretHeaders(t.mapValues(\.value), path: name, layer: layer)
        if let caFile = string(t, name, "ca_file") { resource.caFile = expandHome(caFile) }
        if let entry = t["refresh"] {
            if case .integer(let seconds) = entry.value, (60...604_800).contains(seconds) {
                resource.refresh = .seconds(seconds)
            } else {
                report(layers[entry.layer], "\(name).refresh", "refresh must be a whole number of seconds from 60 to 604800 (a week)")
            }
        }
        return resource
    }

    /// `[pbx] source = "stream"`: the bridge's URL (`http(s)://…` or `unix:/path/to.sock`) and its secrets.
    mutating func buildStreamConnection(_ pbx: PBXSettings) -> PBXConnection {
        let t = table("pbx")
        let layer = t["url"].map { layers[$0.layer] } ?? t["source"].map { layers[$0.layer] } ?? layers.last
        guard let url = pbx.string("url"), let layer else {
            report(layer, "pbx", "[pbx] source = \"stream\" needs url = \"https://bridge.example.com/events\" or \"unix:/run/user/1000/callpop-bridge.sock\"")
            return .none
        }
        var settings: StreamSourceConfiguration
        if url.hasPrefix("unix:") {
            let path = expandHome(String(url.dropFirst(5)))
            guard path.hasPrefix("/") else {
                report(layer, "pbx.url", "a unix: URL names an absolute socket path: unix:/run/user/1000/callpop-bridge.sock")
                return .none
            }
            settings = StreamSourceConfiguration(url: "http://localhost/", unixSocketPath: path)
        } else {
            guard let template = parseTemplate(url, path: "pbx.url", layer: layer), template.isConstant else {
                report(layer, "pbx.url", "the stream url takes no variables")
                return .none
            }
            if url.contains("@") {
                report(layer, "pbx.url", "url must not carry a user or password: use token_file or secret_headers")
                return .none
            }
            checkStaticURL(template, path: "pbx.url", layer: layer, allowedSchemes: ["http", "https"])
            settings = StreamSourceConfiguration(url: url)
        }
        settings.headers = secretHeaders(t.mapValues(\.value), path: "pbx", layer: layer)
        settings.caFile = pbx.string("ca_file").map(expandHome)
        if let entry = t["reconnect_max"] {
            if case .integer(let seconds) = entry.value, seconds > 0 { settings.reconnectMaximum = .seconds(seconds) } else {
                report(layers[entry.layer], "pbx.reconnect_max", "reconnect_max must be a whole number of seconds above 0")
            }
        }
        return .stream(settings)
    }
}
