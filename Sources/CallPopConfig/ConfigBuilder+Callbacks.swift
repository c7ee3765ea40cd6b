internal import CallPopCore

/// `[[callback]]`: HTTP requests made when a call is new, updated or ended.
extension ConfigBuilder {
    mutating func buildCallbacks() -> [CallbackRule] {
        // As with [[popup]], the user's list replaces the system defaults' as a whole.
        guard let index = layers.lastIndex(where: { if case .array? = $0.values["callback"] { true } else { false } }),
              case .array(let items)? = layers[index].values["callback"]
        else { return [] }
        return buildCallbacks(items, layer: layers[index], provisioned: false)
    }

    /// The callbacks of `items`; `provisioned` ones may not read local secrets.
    mutating func buildCallbacks(_ items: [ConfigValue], layer: ConfigLayer, provisioned: Bool) -> [CallbackRule] {
        var rules: [CallbackRule] = []
        var seen: [String: Int] = [:]
        for (i, item) in items.enumerated() {
            let path = "callback[\(i)]"
            guard case .table(let t) = item else { report(layer, path, "each callback must be a table"); continue }
            guard let rule = buildCallback(t, path: path, layer: layer, provisioned: provisioned) else { continue }
            if let other = seen[rule.id] {
                report(layer, path, "callback id '\(rule.id)' is also used by callback \(other + 1); give one a different name or an explicit id")
            }
            seen[rule.id] = i
            rules.append(rule)
        }
        return rules
    }

    mutating func buildCallback(_ t: [String: ConfigValue], path: String, layer: ConfigLayer, provisioned: Bool) -> CallbackRule? {
        for key in t.keys.sorted() where !ConfigSchema.callback.contains(key) {
            report(layer, "\(path).\(key)", "unknown key '\(key)' in [[callback]]; known keys: \(ConfigSchema.callback.sorted().joined(separator: ", "))")
        }
        let name = ruleText(t, "name", path: path, layer: layer) ?? ""
        if name.isEmpty { report(layer, path, "every callback needs a name (it names the callback in the decision log)") }
        guard let urlText = ruleText(t, "url", path: path, layer: layer) else {
            report(layer, path, "callback '\(name)' needs url = \"https://crm.example.com/calls?cnum={CALLERNUM}\"")
            return nil
        }
        guard let url = parseTemplate(urlText, path: "\(path).url", layer: layer, allowCallbackVariables: true) else { return nil }
        checkStaticURL(url, path: "\(path).url", layer: layer, allowedSchemes: ["http", "https"])
        var events = Set(CallbackEventKind.allCases)
        if let listed = ruleStrings(t, "events", path: path, layer: layer) {
            events = []
            for event in listed {
                if let kind = CallbackEventKind(rawValue: event) { events.insert(kind) } else {
                    report(layer, "\(path).events", "unknown event '\(event)'; use new, updated, ended")
                }
            }
            if listed.isEmpty { report(layer, "\(path).events", "events must name at least one of new, updated, ended") }
        }
        let directionText = ruleText(t, "direction", path: path, layer: layer) ?? "any"
        let direction = DirectionFilter(rawValue: directionText)
        if direction == nil { report(layer, "\(path).direction", "direction must be incoming, outgoing or any, not '\(directionText)'") }
        let method = (ruleText(t, "method", path: path, layer: layer) ?? "GET").uppercased()
        guard ["GET", "POST", "PUT", "PATCH"].contains(method) else {
            report(layer, "\(path).method", "method must be GET, POST, PUT or PATCH, not '\(method)'")
            return nil
        }
        let body = callbackBody(t, method: method, path: path, layer: layer)
        let headers = headerTemplates(t, path: path, layer: layer)
        let secrets = secretHeaders(t, path: path, layer: layer, allowed: !provisioned)
        var rule = CallbackRule(
            id: ruleID(t, path: path, layer: layer), name: name, events: events, direction: direction ?? .any, method: method,
            url: url, body: body, headers: headers, secretHeaders: secrets,
            calledNumbers: patterns(t, "called_numbers", path: path, layer: layer),
            remoteNumbers: patterns(t, "remote_numbers", path: path, layer: layer))
        if let seconds = seconds(t, "timeout", path: path, layer: layer, range: 1...300) { rule.timeout = .seconds(seconds) }
        if let seconds = seconds(t, "max_age", path: path, layer: layer, range: 0...(30 * 86_400)) { rule.maximumAge = .seconds(seconds) }
        if let colleagues = ruleBool(t, "colleagues", path: path, layer: layer) { rule.includeColleagues = colleagues }
        if let enabled = ruleBool(t, "enabled", path: path, layer: layer) { rule.enabled = enabled }
        if let caFile = ruleText(t, "ca_file", path: path, layer: layer) {
            if provisioned {
                report(layer, "\(path).ca_file", "provisioned rules cannot name local files: put this rule in your own configuration")
            } else {
                rule.caFile = expandHome(caFile)
            }
        }
        return rule
    }

    /// `headers = { "X-Source" = "callpop" }`: header templates; secrets are refused here.
    mutating func headerTemplates(_ t: [String: ConfigValue], path: String, layer: ConfigLayer, dial: Bool = false) -> [HeaderTemplate] {
        var headers: [HeaderTemplate] = []
        guard let value = t["headers"] else { return [] }
        guard case .table(let entries) = value else {
            report(layer, "\(path).headers", "headers must be a table: headers = { \"X-Source\" = \"callpop\" }")
            return []
        }
        for (header, text) in entries.sorted(by: { $0.key < $1.key }) {
            guard HeaderField.isValidName(header) else { report(layer, "\(path).headers", "'\(header)' is not a header name"); continue }
            guard case .string(let text) = text else { report(layer, "\(path).headers", "header \(header) must be a string"); continue }
            if ["authorization", "cookie", "proxy-authorization"].contains(header.lowercased()) {
                report(layer, "\(path).headers", "header \(header) carries a secret: use token_file or secret_headers so it never sits in this file")
                continue
            }
            if let template = parseTemplate(
                text, path: "\(path).headers", layer: layer, offsetKnown: false, allowCallbackVariables: !dial, allowDialVariables: dial)
            {
                headers.append(HeaderTemplate(name: header, value: template))
            }
        }
        return headers
    }

    /// `form` or `json`: the body of a `[[callback]]` (or, with `dial`, of the `[dial]` request).
    mutating func callbackBody(
        _ t: [String: ConfigValue], method: String, path: String, layer: ConfigLayer, dial: Bool = false
    ) -> CallbackBody? {
        let form = ruleText(t, "form", path: path, layer: layer)
        let json = ruleText(t, "json", path: path, layer: layer)
        if form != nil, json != nil { report(layer, "\(path).json", "a callback has one body: keep form or json, not both") }
        guard form != nil || json != nil else {
            if method != "GET" { report(layer, "\(path).method", "\(method) needs a body: form = \"name={CALLERNAME}&…\" or json = '{\"name\": \"{CALLERNAME}\"}'") }
            return nil
        }
        if method == "GET" { report(layer, "\(path).method", "a GET request sends no body: set method = \"POST\" or drop the body") }
        if let form, let template = parseTemplate(
            form, path: "\(path).form", layer: layer, allowCallbackVariables: !dial, allowDialVariables: dial)
        {
            return .form(template)
        }
        guard let json, let template = parseTemplate(
            json, path: "\(path).json", layer: layer, allowCallbackVariables: !dial, allowDialVariables: dial)
        else { return nil }
        do {
            return .json(try JSONBodyTemplate(template))
        } catch {
            report(layer, "\(path).json", error.message, offset: error.offset)
            return nil
        }
    }

    // MARK: Typed access within one array-of-tables entry

    mutating func ruleText(_ t: [String: ConfigValue], _ key: String, path: String, layer: ConfigLayer) -> String? {
        guard let v = t[key] else { return nil }
        if case .string(let s) = v { return s }
        report(layer, "\(path).\(key)", "\(key) must be a string, not \(v.typeName)")
        return nil
    }

    mutating func ruleBool(_ t: [String: ConfigValue], _ key: String, path: String, layer: ConfigLayer) -> Bool? {
        guard let v = t[key] else { return nil }
        if case .boolean(let b) = v { return b }
        report(layer, "\(path).\(key)", "\(key) must be true or false")
        return nil
    }

    mutating func ruleStrings(_ t: [String: ConfigValue], _ key: String, path: String, layer: ConfigLayer) -> [String]? {
        guard let v = t[key] else { return nil }
        guard case .array(let items) = v else { report(layer, "\(path).\(key)", "\(key) must be an array of strings"); return nil }
        let strings = items.compactMap { if case .string(let s) = $0 { s } else { nil } }
        if strings.count != items.count { report(layer, "\(path).\(key)", "\(key) must hold only strings") }
        return strings
    }

    /// A whole number of seconds within `range`.
    mutating func seconds(_ t: [String: ConfigValue], _ key: String, path: String, layer: ConfigLayer, range: ClosedRange<Int>) -> Int? {
        guard let v = t[key] else { return nil }
        guard case .integer(let n) = v, range.contains(n) else {
            report(layer, "\(path).\(key)", "\(key) must be a whole number of seconds from \(range.lowerBound) to \(range.upperBound)")
            return nil
        }
        return n
    }

    /// An explicit `id`, checked; nil when not given.
    mutating func ruleID(_ t: [String: ConfigValue], path: String, layer: ConfigLayer) -> String? {
        guard let id = ruleText(t, "id", path: path, layer: layer) else { return nil }
        if id.isEmpty || !id.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) {
            report(layer, "\(path).id", "id may hold only letters, digits, '-' and '_'")
        }
        return id
    }
}
