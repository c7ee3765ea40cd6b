internal import CallPopCore
internal import CallPopAMI

/// `[dial]`: click-to-dial. The dial plan (prefix, rewrites, denials, internal numbers),
/// the AMI `Originate` settings, the HTTP click-to-call request, the program, and the safety
/// settings (confirmation, rate limit).
extension ConfigBuilder {
    mutating func buildDial(user: UserIdentity, colleagues: ColleaguePolicy, connection: PBXConnection) -> DialSettings? {
        let t = table("dial")
        checkKeys("dial", ConfigSchema.dial, t.filter { $0.key != "body" })  // body: explained below
        func layer(_ key: String) -> ConfigLayer? { t[key].map { layers[$0.layer] } ?? layers.last }
        if let entry = t["body"] {
            report(layers[entry.layer], "dial.body",
                   "write the request body as form = \"number={DIALNUM}\" or json = '{\"to\": \"{DIALNUM}\"}': the body's type decides how {DIALNUM} is encoded")
        }
        let prefix = string(t, "dial", "prefix") ?? ""
        var digits = DialPlan.extensionDigits(forUserNumber: user.number)
        if let n = integer(t, "dial", "extension_digits") {
            if (0...8).contains(n) { digits = n } else { report(layer("extension_digits"), "dial.extension_digits", "extension_digits must be from 0 to 8") }
        }
        let validPlan: DialPlan?
        do {
            validPlan = try DialPlan(
                numberPlan: user.numberPlan, outsideLinePrefix: prefix, extensionMaxDigits: digits,
                internalNumbers: colleagues.patterns)
        } catch {
            report(layer("prefix"), "dial.prefix", error.message)
            validPlan = try? DialPlan(numberPlan: user.numberPlan, extensionMaxDigits: digits, internalNumbers: colleagues.patterns)
        }
        // Without an outside-line prefix the plan is always valid.
        guard var plan = validPlan else { return nil }
        plan.rewrites = dialRewrites(t)
        plan.denials = dialDenials(t)
        var settings = DialSettings(plan: plan)
        if let confirm = bool(t, "dial", "confirm") { settings.confirm = confirm }
        if let n = integer(t, "dial", "rate_limit") {
            if (0...60).contains(n) { settings.perMinute = n } else {
                report(layer("rate_limit"), "dial.rate_limit", "rate_limit must be from 0 (no limit) to 60 dials per minute")
            }
        }
        if let n = integer(t, "dial", "timeout") {
            if (5...300).contains(n) { settings.ringTimeout = .seconds(n) } else {
                report(layer("timeout"), "dial.timeout", "timeout must be from 5 to 300 seconds (how long your phone may ring)")
            }
        }
        buildDialAMI(t, into: &settings, user: user, connection: connection)
        settings.http = buildDialHTTP(t)
        settings.app = buildDialApp(t)
        return settings
    }

    private mutating func buildDialAMI(
        _ t: [String: (value: ConfigValue, layer: Int)], into settings: inout DialSettings, user: UserIdentity, connection: PBXConnection
    ) {
        settings.context = string(t, "dial", "context")
        if case .ami(let ami) = connection { settings.channel = ami.devices.first }
        if let channel = string(t, "dial", "channel") { settings.channel = channel }
        guard let context = settings.context else { return }
        // The values reach the PBX as AMI fields: check them as the Originate will.
        do {
            _ = try AMIOriginate(
                actionID: "check", channel: settings.channel ?? "PJSIP/\(user.number)", context: context, exten: "0")
        } catch {
            let key = error.field == "Channel" ? "channel" : "context"
            report(t[key].map { layers[$0.layer] } ?? layers.last, "dial.\(key)", "\(key): \(error.message)")
            settings.context = nil
        }
    }

    private mutating func buildDialHTTP(_ t: [String: (value: ConfigValue, layer: Int)]) -> DialHTTPTemplate? {
        guard let entry = t["url"] else {
            for key in ["method", "form", "json", "headers", "token_file", "secret_headers", "ca_file"] where t[key] != nil {
                report(layers[t[key]!.layer], "dial.\(key)", "\(key) belongs to the HTTP click-to-call request: set url too")
            }
            return nil
        }
        let layer = layers[entry.layer]
        let values = t.mapValues(\.value)
        guard case .string(let text) = entry.value else {
            report(layer, "dial.url", "url must be a string, not \(entry.value.typeName)")
            return nil
        }
        guard let url = parseTemplate(text, path: "dial.url", layer: layer, allowDialVariables: true) else { return nil }
        checkStaticURL(url, path: "dial.url", layer: layer, allowedSchemes: ["http", "https"])
        // Without a body a click-to-call API is usually a GET with the number in the query.
        let method = (string(t, "dial", "method") ?? (t["form"] ?? t["json"] != nil ? "POST" : "GET")).uppercased()
        guard ["GET", "POST", "PUT", "PATCH"].contains(method) else {
            report(layer, "dial.method", "method must be GET, POST, PUT or PATCH, not '\(method)'")
            return nil
        }
        var template = DialHTTPTemplate(
            method: method, url: url, body: callbackBody(values, method: method, path: "dial", layer: layer, dial: true),
            headers: headerTemplates(values, path: "dial", layer: layer, dial: true),
            secretHeaders: secretHeaders(values, path: "dial", layer: layer))
        if let file = string(t, "dial", "ca_file") { template.caFile = expandHome(file) }
        return template
    }

    private mutating func buildDialApp(_ t: [String: (value: ConfigValue, layer: Int)]) -> [Template]? {
        guard let entry = t["app"] else { return nil }
        guard let words = strings(t, "dial", "app") else { return nil }
        let layer = layers[entry.layer]
        guard let program = words.first, !program.isEmpty else {
            report(layer, "dial.app", "app must name a program: app = [\"softphone\", \"call\", \"{DIALNUM}\"]")
            return nil
        }
        var templates: [Template] = []
        for (index, word) in words.enumerated() {
            guard let template = parseTemplate(word, path: "dial.app", layer: layer, offsetKnown: false, allowDialVariables: true) else {
                return nil
            }
            if index == 0, !template.isConstant {
                report(layer, "dial.app", "the program of app must be fixed text, not a variable")
                return nil
            }
            templates.append(template)
        }
        // URLs inside its arguments and values that could become options: as for popups' apps.
        guard checkArguments(templates, offsets: [], path: "dial.app", layer: layer, of: "the [dial] app") else { return nil }
        return templates
    }

    private mutating func dialRewrites(_ t: [String: (value: ConfigValue, layer: Int)]) -> [DialRewrite] {
        guard let entry = t["rewrite"] else { return [] }
        let layer = layers[entry.layer]
        guard case .array(let items) = entry.value else {
            report(layer, "dial.rewrite", "rewrite must be an array of tables: rewrite = [{ match = \"00*\", replace = \"+\" }]")
            return []
        }
        var rewrites: [DialRewrite] = []
        for (index, item) in items.enumerated() {
            let path = "dial.rewrite[\(index)]"
            guard case .table(let pair) = item, case .string(let match)? = pair["match"], case .string(let replace)? = pair["replace"],
                pair.count == 2
            else {
                report(layer, path, "each rewrite is { match = \"PATTERN\", replace = \"DIGITS\" } (rewrite \(index + 1))")
                continue
            }
            do { rewrites.append(try DialRewrite(match: match, replacement: replace)) } catch {
                report(layer, path, "rewrite \(index + 1): \(error.message)")
            }
        }
        return rewrites
    }

    private mutating func dialDenials(_ t: [String: (value: ConfigValue, layer: Int)]) -> [DialDenial] {
        guard let entry = t["deny"] else { return [] }
        let layer = layers[entry.layer]
        guard case .array(let items) = entry.value else {
            report(layer, "dial.deny", "deny must be an array: deny = [\"09*\", { match = \"00*\", reason = \"abroad\" }]")
            return []
        }
        var denials: [DialDenial] = []
        for (index, item) in items.enumerated() {
            let path = "dial.deny[\(index)]"
            let rule: (String, String)?
            switch item {
            case .string(let match): rule = (match, "")
            case .table(let pair):
                if case .string(let match)? = pair["match"], pair.keys.allSatisfy({ $0 == "match" || $0 == "reason" }) {
                    if case .string(let reason)? = pair["reason"] { rule = (match, reason) } else { rule = pair["reason"] == nil ? (match, "") : nil }
                } else {
                    rule = nil
                }
            default: rule = nil
            }
            guard let (match, reason) = rule else {
                report(layer, path, "each deny rule is a pattern or { match = \"PATTERN\", reason = \"why\" } (rule \(index + 1))")
                continue
            }
            do { denials.append(try DialDenial(match: match, reason: UntrustedText.clean(reason, for: .logLine))) } catch {
                report(layer, path, "deny rule \(index + 1): \(error.message)")
            }
        }
        return denials
    }
}
