internal import CallPopCore

/// `[colleagues] url`, a colleague directory; and what every table that fetches something over
/// HTTP shares (`[colleagues]`, `[provisioning]`): the URL, its secrets, CAs and refresh.
extension ConfigBuilder {
    /// The directory of `[colleagues]`, when it has a `url`.
    mutating func buildColleagueDirectory() -> RemoteResource? {
        buildRemote("colleagues", user: nil)
    }

    mutating func buildRemote(_ name: String, user: UserIdentity?) -> RemoteResource? {
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
}
