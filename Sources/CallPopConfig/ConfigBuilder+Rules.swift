internal import CallPopCore

/// `[[popup]]` rules: triggers, directions, targets, templates, number filters.
extension ConfigBuilder {
    // MARK: Rules

    mutating func buildRules() -> [PopupRule] {
        // The user's rules replace the system defaults' as a whole list.
        guard let index = layers.lastIndex(where: { if case .array? = $0.values["popup"] { true } else { false } }),
              case .array(let items)? = layers[index].values["popup"]
        else { return [] }
        let layer = layers[index]
        var rules: [PopupRule] = []
        var seen: [String: Int] = [:]
        for (i, item) in items.enumerated() {
            let path = "popup[\(i)]"
            guard case .table(let t) = item else { report(layer, path, "each popup must be a table"); continue }
            guard let rule = buildRule(t, path: path, layer: layer) else { continue }
            if let other = seen[rule.id] {
                report(layer, path, "rule id '\(rule.id)' is also used by popup \(other + 1); give one a different name or an explicit id")
            }
            seen[rule.id] = i
            rules.append(rule)
        }
        return rules
    }

    mutating func buildRule(_ t: [String: ConfigValue], path: String, layer: ConfigLayer) -> PopupRule? {
        for key in t.keys.sorted() where !ConfigSchema.popup.contains(key) {
            let hint = Suggestion.closest(to: key, among: ConfigSchema.popup).map { "did you mean '\($0)'?" }
                ?? "known keys: \(ConfigSchema.popup.sorted().joined(separator: ", "))"
            report(layer, "\(path).\(key)", "unknown key '\(key)' in [[popup]]; \(hint)")
        }
        func text(_ key: String) -> String? { ruleText(t, key, path: path, layer: layer) }
        let name = text("name") ?? ""
        if name.isEmpty { report(layer, path, "every popup needs a name (shown on the notification button)") }
        let triggerText = text("trigger")
        guard let triggerText else {
            report(layer, path, "popup '\(name)' needs a trigger: on-click, ringing, call-generation or answer")
            return nil
        }
        guard let trigger = Trigger(rawValue: triggerText) else {
            report(layer, "\(path).trigger", "trigger must be on-click, ringing, call-generation or answer, not '\(triggerText)'"
                + Suggestion.phrase(for: triggerText, among: Trigger.allCases.map(\.rawValue)))
            return nil
        }
        // Without a direction, a rule follows its trigger: ringing is incoming, call-generation outgoing.
        let directionText = text("direction")
            ?? (trigger == .ringing ? "incoming" : trigger == .callGeneration ? "outgoing" : "any")
        guard let direction = DirectionFilter(rawValue: directionText) else {
            report(layer, "\(path).direction", "direction must be incoming, outgoing or any, not '\(directionText)'"
                + Suggestion.phrase(for: directionText, among: DirectionFilter.allCases.map(\.rawValue)))
            return nil
        }
        guard trigger.allowedDirections.contains(direction) else {
            let hint = trigger == .ringing ? "ringing is for incoming calls; for outgoing calls use call-generation"
                : "call-generation is for outgoing calls; for incoming calls use ringing"
            report(layer, "\(path).trigger", "trigger '\(triggerText)' cannot be used with direction '\(directionText)': \(hint)")
            return nil
        }
        var enabled = true
        if let v = t["enabled"] {
            if case .boolean(let b) = v { enabled = b } else { report(layer, "\(path).enabled", "enabled must be true or false") }
        }
        var anonymous = false
        if let v = t["anonymous"] {
            if case .boolean(let b) = v { anonymous = b } else { report(layer, "\(path).anonymous", "anonymous must be true or false") }
        }
        guard let target = buildTarget(t, path: path, layer: layer, name: name) else { return nil }
        return PopupRule(
            id: ruleID(t, path: path, layer: layer), name: name, direction: direction, trigger: trigger, enabled: enabled, target: target,
            calledNumbers: patterns(t, "called_numbers", path: path, layer: layer),
            remoteNumbers: patterns(t, "remote_numbers", path: path, layer: layer), anonymous: anonymous,
            known: ruleBool(t, "known", path: path, layer: layer), directories: ruleDirectories(t, path: path, layer: layer))
    }

    mutating func buildTarget(_ t: [String: ConfigValue], path: String, layer: ConfigLayer, name: String) -> PopupTarget? {
        switch (t["url"], t["app"]) {
        case (nil, nil):
            report(layer, path, "popup '\(name)' needs a target: url = \"https://…\" or app = \"program args…\"")
            return nil
        case (.some, .some):
            report(layer, "\(path).app", "popup '\(name)' has both url and app: keep exactly one")
            return nil
        case (.some(let value), nil):
            guard case .string(let text) = value else { report(layer, "\(path).url", "url must be a string"); return nil }
            guard let template = parseTemplate(text, path: "\(path).url", layer: layer) else { return nil }
            // The contact's record: its scheme and host come from the directory, and only hosts
            // of its record_hosts get there; the whole URL is checked when it expands.
            if !template.startsWithContactURL { checkStaticURL(template, path: "\(path).url", layer: layer) }
            return .url(template)
        case (nil, .some(let value)):
            var words: [String] = []
            var offsets: [Int?] = []  // where each word starts in a command-line string
            switch value {
            case .string(let line):
                do {
                    let split = try ArgvSplitter.split(line)
                    words = split.map(\.text)
                    offsets = split.map(\.offset)
                } catch {
                    report(layer, "\(path).app", "app: \(error.message)", offset: error.offset)
                    return nil
                }
            case .array(let items):
                for item in items {
                    guard case .string(let s) = item else { report(layer, "\(path).app", "app array items must be strings"); return nil }
                    words.append(s)
                    offsets.append(nil)
                }
            default:
                report(layer, "\(path).app", "app must be a command line string or an array of strings")
                return nil
            }
            guard let program = words.first, !program.isEmpty else {
                report(layer, "\(path).app", "app names no program")
                return nil
            }
            var templates: [Template] = []
            for word in words {
                guard let template = parseTemplate(word, path: "\(path).app", layer: layer, offsetKnown: false) else { return nil }
                templates.append(template)
            }
            if !templates[0].isConstant {
                report(layer, "\(path).app", "the program name must be fixed text, not a variable")
                return nil
            }
            guard checkArguments(templates, offsets: offsets, path: "\(path).app", layer: layer, of: "popup '\(name)'") else { return nil }
            return .app(templates)
        }
    }

    /// An app's arguments: a URL inside one (`--app=https://…{CALLERNAME}`) must fix its host
    /// and use an allowed scheme, as a URL target must; an argument that starts with a
    /// variable is warned about, since a value starting with '-' will be refused at launch.
    /// False when the rule cannot be used. `path` is the key (`popup[0].app`, `dial.app`),
    /// `owner` what the message names (`popup 'CRM'`).
    mutating func checkArguments(_ words: [Template], offsets: [Int?], path: String, layer: ConfigLayer, of owner: String) -> Bool {
        let configured = currentSchemes()
        let allowed: Set<String> = configured.isEmpty ? LaunchPolicy().allowedSchemes : configured
        var optionsEnded = false
        var usable = true
        for (index, word) in words.enumerated().dropFirst() {
            let offset = index < offsets.count ? offsets[index] : nil
            if let embedded = word.embeddedURL {
                if !refusesPassword(in: embedded.url.source, path: path, layer: layer) {
                    usable = false
                } else if !allowed.contains(embedded.scheme) {
                    report(layer, path,
                           "argument \(index) of \(owner) is a URL with scheme '\(embedded.scheme)', which [launch] url_schemes does not allow",
                           offset: offset)
                    usable = false
                } else if !embedded.url.hasFixedAuthority {
                    report(layer, path,
                           "argument \(index) of \(owner) is a URL whose host is not fixed text: a caller must not choose the site",
                           offset: offset)
                    usable = false
                }
            } else if word.startsWithVariable, !optionsEnded, !Self.startsWithNumberForm(word) {
                report(layer, path,
                       "argument \(index) of \(owner) starts with a variable: a call whose value starts with '-' is skipped (option-injection), because the program would read it as an option; put -- before it (app = \"program -- {CALLERNAME}\"), fixed text before the variable (--name={CALLERNAME}), or read the CALLPOP_* environment variables",
                       offset: offset, warning: true)
            }
            if word.isConstant, word.source == "--" { optionsEnded = true }
        }
        return usable
    }

    /// Whether the word starts with a number form (`{CALLERNUM:e164}`, `{DIALNUM}`), which is
    /// only digits, `+`, `*` and `#`.
    static func startsWithNumberForm(_ word: Template) -> Bool {
        guard case .variable(let variable, let transform)? = word.segments.first else { return false }
        if variable == .dialNumber { return true }
        switch transform {
        case .e164, .national, .digits: return true
        case .none, .dropFirst: return false
        }
    }

    mutating func parseTemplate(
        _ text: String, path: String, layer: ConfigLayer, offsetKnown: Bool = true, allowCallbackVariables: Bool = false,
        allowDialVariables: Bool = false
    ) -> Template? {
        let template: Template
        do {
            template = try Template(parsing: text)
        } catch {
            report(layer, path, error.message, offset: offsetKnown ? error.offset : nil)
            return nil
        }
        if !allowCallbackVariables, let variable = template.variables.first(where: \.isCallbackOnly) {
            report(layer, path, "{\(variable.rawValue)} is known only to callbacks ([[callback]]): a popup opens before the call has it")
            return nil
        }
        if !allowDialVariables, template.variables.contains(.dialNumber) {
            report(layer, path, "{DIALNUM} is known only to [dial] templates (the number callpop dials); here use {CALLERNUM}")
            return nil
        }
        return template
    }

    /// The user's static text must already make an absolute URL with an allowed scheme
    /// (`allowedSchemes`, or `[launch] url_schemes` when nil).
    mutating func checkStaticURL(_ template: Template, path: String, layer: ConfigLayer, allowedSchemes: Set<String>? = nil) {
        guard refusesPassword(in: template.source, path: path, layer: layer) else { return }
        guard template.leadingLiteral.contains(":") else {
            if case .literal? = template.segments.first {
                // `crm.example.com/c`: the scheme was left out, not replaced by a variable.
                report(layer, path, "url must start with its scheme: write \"https://\(template.source)\" (or http://)")
            } else {
                report(layer, path, "url must start with a fixed scheme such as https://, not a variable")
            }
            return
        }
        let sample = CallVariables(
            event: CallEvent(callID: "1", state: .ringing, direction: .incoming, remoteNumber: "0", remoteName: "x",
                             calledNumber: "0", tags: ["x"], channel: "x"),
            user: UserIdentity(number: "0", name: "x"))
        let configured = allowedSchemes ?? currentSchemes()
        let allowed: Set<String> = configured.isEmpty ? LaunchPolicy().allowedSchemes : configured
        do throws(URLCheck.Refusal) {
            try URLCheck.validate(template.expand(sample, encode: true), allowedSchemes: allowed)
        } catch {
            report(layer, path, "url is not a valid absolute URL: \(error.description)")
            return
        }
        if !template.hasFixedAuthority {
            report(layer, path, "url must name its host in fixed text (https://host/...) before any variable: a caller must not choose the site")
        }
    }

    /// False (after reporting at `path`) when `uri` carries a password in its userinfo
    /// (`https://user:token@crm/`): a secret never sits in the configuration file, and a URI
    /// with one would be logged. Every URI the configuration takes passes here or through
    /// the PBX's own checks (`PBXConnectionBuilder`); the message never echoes the URI.
    mutating func refusesPassword(in uri: String, path: String, layer: ConfigLayer) -> Bool {
        guard URIUserinfo.hasPassword(uri) else { return true }
        let key = path.split(separator: ".").last.map(String.init) ?? path
        report(layer, path, "\(key) must not carry a password (user:password@): use password_file, token_file or secret_headers")
        return false
    }

    func currentSchemes() -> Set<String> {
        let t = table("launch")
        guard case .array(let items)? = t["url_schemes"]?.value else { return [] }
        return Set(items.compactMap { if case .string(let s) = $0 { s.lowercased() } else { nil } })
    }

    mutating func patterns(_ t: [String: ConfigValue], _ key: String, path: String, layer: ConfigLayer) -> [NumberPattern] {
        guard let v = t[key] else { return [] }
        var out: [NumberPattern] = []
        switch v {
        case .string(let s): out = NumberPattern(s).map { [$0] } ?? []
        case .array(let items):
            for item in items {
                if case .string(let s) = item, let p = NumberPattern(s) { out.append(p) } else {
                    report(layer, "\(path).\(key)", "\(key) must list non-empty number patterns as strings")
                }
            }
        default: report(layer, "\(path).\(key)", "\(key) must be an array of strings such as [\"5550100\", \"+44*\"]")
        }
        return out
    }

    /// `check` warns about programs that are not on PATH: the popup would fail at call time.
    mutating func checkPrograms(_ rules: [PopupRule], opener: [String]) {
        func found(_ program: String) -> Bool { ProgramLookup.isInstalled(program, path: environment["PATH"]) }
        if let first = opener.first, !found(first), let layer = layers.last {
            report(layer, "launch.opener", "URL opener '\(first)' is not on PATH (install xdg-utils)", warning: true)
        }
        for (i, rule) in rules.enumerated() {
            guard case .app(let words) = rule.target, let program = words.first?.source, !found(program),
                  let layer = layers.last(where: { $0.values["popup"] != nil })
            else { continue }
            report(layer, "popup[\(i)].app", "program '\(program)' of popup '\(rule.name)' is not on PATH", warning: true)
        }
    }
}
