internal import CallPopCore

/// `[pbx] source = "stream"`: call events from a bridge over HTTP(S) or a Unix socket.
extension ConfigBuilder {
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
