internal import CallPopCore

/// Builds a `Configuration` from layered files, recording each problem where it stands.
struct ConfigBuilder {
    let layers: [ConfigLayer]
    let environment: [String: String]
    private(set) var diagnostics: [ConfigDiagnostic] = []

    init(layers: [ConfigLayer], environment: [String: String]) {
        self.layers = layers
        self.environment = environment
    }

    mutating func build() -> Configuration {
        for layer in layers { checkTopLevel(layer) }
        let user = buildUser()
        let rules = buildRules()
        var ruleSet = RuleSet(
            user: user, colleagues: buildColleagues(), launch: LaunchPolicy(), launchesPerMinute: 10, rules: rules)
        var portal = PortalMode.auto
        buildLaunch(into: &ruleSet, portal: &portal)
        let pbx = buildPBX()
        let connection = buildConnection(pbx, user: user)
        let notifications = buildNotifications()
        checkPrograms(rules, opener: ruleSet.launch.opener)
        diagnostics = inFileOrder(diagnostics)
        return Configuration(
            files: layers.map(\.path), ruleSet: ruleSet, pbx: pbx, connection: connection, notifications: notifications,
            portal: portal,
            warnings: diagnostics.filter(\.isWarning))
    }

    /// The problems as a compiler lists them: file by file, then by line and column. They are
    /// found table by table (rules before `[launch]`), which is not the order a reader goes in.
    private func inFileOrder(_ found: [ConfigDiagnostic]) -> [ConfigDiagnostic] {
        let files = layers.map(\.path)
        func key(_ item: (offset: Int, element: ConfigDiagnostic)) -> (Int, Int, Int, Int) {
            let d = item.element
            return (files.firstIndex(of: d.file) ?? files.count, d.position?.line ?? 0, d.position?.column ?? 0, item.offset)
        }
        return found.enumerated().sorted { key($0) < key($1) }.map(\.element)
    }

    // MARK: Tables

    private mutating func checkTopLevel(_ layer: ConfigLayer) {
        for (key, value) in layer.values.sorted(by: { $0.key < $1.key }) {
            guard ConfigSchema.tables.contains(key) else {
                report(layer, key, "unknown table or key '\(key)'; known tables: \(ConfigSchema.tables.sorted().joined(separator: ", "))")
                continue
            }
            if key == "popup" {
                guard case .array = value else { report(layer, key, "'popup' must be written as [[popup]] tables"); continue }
            } else if case .table = value {
            } else {
                report(layer, key, "'\(key)' must be a table: write [\(key)]")
            }
        }
    }

    /// The merged table `name`: the system defaults overlaid key by key by later files.
    func table(_ name: String) -> [String: (value: ConfigValue, layer: Int)] {
        var merged: [String: (value: ConfigValue, layer: Int)] = [:]
        for (index, layer) in layers.enumerated() {
            guard case .table(let t)? = layer.values[name] else { continue }
            for (k, v) in t { merged[k] = (v, index) }
        }
        return merged
    }

    private mutating func checkKeys(_ name: String, _ known: Set<String>, _ values: [String: (value: ConfigValue, layer: Int)]) {
        for (key, entry) in values.sorted(by: { $0.key < $1.key }) where !known.contains(key) {
            let hint = key == "password" || key == "secret" || key == "token"
                ? "secrets never sit in the configuration file: use password_file (mode 600) or the \(ConfigSchema.defaultPasswordEnvironment) environment variable"
                : "known keys: \(known.sorted().joined(separator: ", "))"
            report(layers[entry.layer], "\(name).\(key)", "unknown key '\(key)' in [\(name)]; \(hint)")
        }
    }

    private mutating func buildUser() -> UserIdentity {
        let t = table("user")
        checkKeys("user", ConfigSchema.user, t)
        let number = string(t, "user", "number") ?? ""
        if number.isEmpty {
            report(layers.last, "user", "[user] number is required: the user's own extension, e.g. number = \"201\"")
        }
        var plan = NumberPlan()
        if let entry = t["country_code"] {
            switch entry.value {
            case .string(let s): plan.countryCode = s.hasPrefix("+") ? String(s.dropFirst()) : s
            case .integer(let i): plan.countryCode = String(i)
            default: report(layers[entry.layer], "user.country_code", "country_code must be a string such as \"44\"")
            }
            if !plan.countryCode.allSatisfy(\.isNumber) {
                report(layers[entry.layer], "user.country_code", "country_code must be digits, e.g. \"44\"")
            }
        }
        if let p = string(t, "user", "national_prefix") { plan.nationalPrefix = p }
        if let p = string(t, "user", "international_prefix") { plan.internationalPrefix = p }
        return UserIdentity(number: number, name: string(t, "user", "name") ?? "", numberPlan: plan)
    }

    private mutating func buildColleagues() -> ColleaguePolicy {
        let t = table("colleagues")
        checkKeys("colleagues", ConfigSchema.colleagues, t)
        var policy = ColleaguePolicy()
        if let numbers = strings(t, "colleagues", "numbers") {
            policy.patterns = numbers.compactMap(NumberPattern.init)
        }
        if let same = bool(t, "colleagues", "same_length_as_user") { policy.sameLengthAsUser = same }
        return policy
    }

    private mutating func buildLaunch(into ruleSet: inout RuleSet, portal: inout PortalMode) {
        let t = table("launch")
        checkKeys("launch", ConfigSchema.launch, t)
        if let entry = t["opener"] {
            switch entry.value {
            case .string(let line):
                do { ruleSet.launch.opener = try ArgvSplitter.split(line).map(\.text) } catch {
                    report(layers[entry.layer], "launch.opener", "opener: \(error.message)")
                }
            default:
                if let argv = strings(t, "launch", "opener") { ruleSet.launch.opener = argv }
            }
            if ruleSet.launch.opener.isEmpty { report(layers[entry.layer], "launch.opener", "opener must name a program") }
        }
        if let schemes = strings(t, "launch", "url_schemes") {
            ruleSet.launch.allowedSchemes = Set(schemes.map { $0.lowercased() })
            for s in schemes where ["javascript", "file", "data", "vbscript"].contains(s.lowercased()) {
                report(layers[t["url_schemes"]!.layer], "launch.url_schemes",
                       "scheme '\(s)' can run code or read local files when a caller controls the URL; remove it", warning: true)
            }
        }
        if let n = integer(t, "launch", "max_per_minute") {
            if n < 0 { report(layers[t["max_per_minute"]!.layer], "launch.max_per_minute", "max_per_minute must be 0 (no limit) or more") }
            ruleSet.launchesPerMinute = max(0, n)
        }
        if let p = string(t, "launch", "portal") {
            if let mode = PortalMode(rawValue: p) { portal = mode } else {
                report(layers[t["portal"]!.layer], "launch.portal", "portal must be auto, always or never")
            }
        }
    }

    private mutating func buildNotifications() -> NotificationPreferences {
        let t = table("notifications")
        checkKeys("notifications", ConfigSchema.notifications, t)
        var settings = NotificationPreferences()
        if let on = bool(t, "notifications", "enabled") { settings.enabled = on }
        if let icon = string(t, "notifications", "icon") { settings.icon = icon }
        if let phases = strings(t, "notifications", "phases") {
            let known: Set<String> = ["ringing", "answered", "missed"]
            for p in phases where !known.contains(p) {
                report(layers[t["phases"]!.layer], "notifications.phases", "unknown phase '\(p)'; use ringing, answered, missed")
            }
            settings.phases = Set(phases)
        }
        return settings
    }

    private mutating func buildPBX() -> PBXSettings {
        let t = table("pbx")
        var settings = PBXSettings()
        if let name = string(t, "pbx", "source") {
            if let source = PBXSettings.Source(rawValue: name) { settings.source = source } else {
                report(layers[t["source"]!.layer], "pbx.source",
                       "unknown source '\(name)'; use \(PBXSettings.Source.allCases.map(\.rawValue).joined(separator: ", "))")
            }
        }
        checkKeys("pbx", ConfigSchema.pbxCommon.union(ConfigSchema.pbx[settings.source] ?? []), t)
        for (k, entry) in t where !ConfigSchema.pbxCommon.contains(k) { settings.values[k] = entry.value }
        if settings.source == .ami || settings.source == .sip {
            settings.secret = readSecret(t)
        }
        return settings
    }

    private mutating func readSecret(_ t: [String: (value: ConfigValue, layer: Int)]) -> String? {
        if let written = string(t, "pbx", "password_file") {
            let path = expandHome(written)
            let layer = layers[t["password_file"]!.layer]
            guard let mode = FileText.mode(path) else {
                report(layer, "pbx.password_file", "password_file '\(path)' does not exist or cannot be read")
                return nil
            }
            if mode & 0o077 != 0 {
                report(layer, "pbx.password_file",
                       "password_file '\(path)' is readable by group or others (mode \(String(mode & 0o777, radix: 8))): run chmod 600 '\(path)'")
                return nil
            }
            do {
                var secret = try FileText.read(path, limit: 4096)
                // By scalars: "\r\n" is one Character, so a Character-wise trim leaves a CRLF ending.
                while let last = secret.unicodeScalars.last, last == "\n" || last == "\r" { secret.unicodeScalars.removeLast() }
                return secret
            } catch {
                report(layer, "pbx.password_file", "password_file '\(path)': \(error.message)")
                return nil
            }
        }
        let variable = string(t, "pbx", "password_env") ?? ConfigSchema.defaultPasswordEnvironment
        return environment[variable]
    }

    // MARK: Rules

    private mutating func buildRules() -> [PopupRule] {
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

    private mutating func buildRule(_ t: [String: ConfigValue], path: String, layer: ConfigLayer) -> PopupRule? {
        for key in t.keys.sorted() where !ConfigSchema.popup.contains(key) {
            report(layer, "\(path).\(key)", "unknown key '\(key)' in [[popup]]; known keys: \(ConfigSchema.popup.sorted().joined(separator: ", "))")
        }
        func text(_ key: String) -> String? {
            guard let v = t[key] else { return nil }
            if case .string(let s) = v { return s }
            report(layer, "\(path).\(key)", "\(key) must be a string, not \(v.typeName)")
            return nil
        }
        let name = text("name") ?? ""
        if name.isEmpty { report(layer, path, "every popup needs a name (shown on the notification button)") }
        let triggerText = text("trigger")
        guard let triggerText else {
            report(layer, path, "popup '\(name)' needs a trigger: on-click, ringing, call-generation or answer")
            return nil
        }
        guard let trigger = Trigger(rawValue: triggerText) else {
            report(layer, "\(path).trigger", "trigger must be on-click, ringing, call-generation or answer, not '\(triggerText)'")
            return nil
        }
        // Without a direction, a rule follows its trigger: ringing is incoming, call-generation outgoing.
        let directionText = text("direction")
            ?? (trigger == .ringing ? "incoming" : trigger == .callGeneration ? "outgoing" : "any")
        guard let direction = DirectionFilter(rawValue: directionText) else {
            report(layer, "\(path).direction", "direction must be incoming, outgoing or any, not '\(directionText)'")
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
        guard let target = buildTarget(t, path: path, layer: layer, name: name) else { return nil }
        var explicitID: String? = nil
        if let id = text("id") {
            if id.isEmpty || !id.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) {
                report(layer, "\(path).id", "id may hold only letters, digits, '-' and '_'")
            }
            explicitID = id
        }
        return PopupRule(
            id: explicitID, name: name, direction: direction, trigger: trigger, enabled: enabled, target: target,
            calledNumbers: patterns(t, "called_numbers", path: path, layer: layer),
            remoteNumbers: patterns(t, "remote_numbers", path: path, layer: layer))
    }

    private mutating func buildTarget(_ t: [String: ConfigValue], path: String, layer: ConfigLayer, name: String) -> PopupTarget? {
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
            checkStaticURL(template, path: "\(path).url", layer: layer)
            return .url(template)
        case (nil, .some(let value)):
            var words: [String] = []
            switch value {
            case .string(let line):
                do {
                    words = try ArgvSplitter.split(line).map(\.text)
                } catch {
                    report(layer, "\(path).app", "app: \(error.message)", offset: error.offset)
                    return nil
                }
            case .array(let items):
                for item in items {
                    guard case .string(let s) = item else { report(layer, "\(path).app", "app array items must be strings"); return nil }
                    words.append(s)
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
            for (index, word) in templates.enumerated().dropFirst() where word.isWebURL && !word.hasFixedAuthority {
                report(layer, "\(path).app",
                       "argument \(index) of popup '\(name)' is a URL whose host is not fixed text: a caller must not choose the site")
                return nil
            }
            for (index, word) in templates.enumerated().dropFirst() where word.startsWithVariable && !word.isWebURL {
                report(layer, "\(path).app",
                       "argument \(index) of popup '\(name)' starts with a variable: a caller can make it look like an option or a URL to the program; put fixed text before it (--number={CALLERNUM}) or read the CALLPOP_* environment variables",
                       warning: true)
            }
            return .app(templates)
        }
    }

    private mutating func parseTemplate(_ text: String, path: String, layer: ConfigLayer, offsetKnown: Bool = true) -> Template? {
        do {
            return try Template(parsing: text)
        } catch {
            report(layer, path, error.message, offset: offsetKnown ? error.offset : nil)
            return nil
        }
    }

    /// The user's static text must already make an absolute URL with an allowed scheme.
    private mutating func checkStaticURL(_ template: Template, path: String, layer: ConfigLayer) {
        guard template.leadingLiteral.contains(":") else {
            report(layer, path, "url must start with a fixed scheme such as https://, not a variable")
            return
        }
        let sample = CallVariables(
            event: CallEvent(callID: "1", state: .ringing, direction: .incoming, remoteNumber: "0", remoteName: "x",
                             calledNumber: "0", tags: ["x"], channel: "x"),
            user: UserIdentity(number: "0", name: "x"))
        let configured = currentSchemes()
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

    private func currentSchemes() -> Set<String> {
        let t = table("launch")
        guard case .array(let items)? = t["url_schemes"]?.value else { return [] }
        return Set(items.compactMap { if case .string(let s) = $0 { s.lowercased() } else { nil } })
    }

    private mutating func patterns(_ t: [String: ConfigValue], _ key: String, path: String, layer: ConfigLayer) -> [NumberPattern] {
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
    private mutating func checkPrograms(_ rules: [PopupRule], opener: [String]) {
        let path = environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        func found(_ program: String) -> Bool {
            if program.contains("/") { return ProgramLookup.isExecutable(program) }
            return path.split(separator: ":").contains { ProgramLookup.isExecutable("\($0)/\(program)") }
        }
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

    // MARK: Typed access

    private mutating func string(_ t: [String: (value: ConfigValue, layer: Int)], _ table: String, _ key: String) -> String? {
        guard let entry = t[key] else { return nil }
        if case .string(let s) = entry.value { return s }
        report(layers[entry.layer], "\(table).\(key)", "\(key) must be a string, not \(entry.value.typeName)")
        return nil
    }

    private mutating func bool(_ t: [String: (value: ConfigValue, layer: Int)], _ table: String, _ key: String) -> Bool? {
        guard let entry = t[key] else { return nil }
        if case .boolean(let b) = entry.value { return b }
        report(layers[entry.layer], "\(table).\(key)", "\(key) must be true or false, not \(entry.value.typeName)")
        return nil
    }

    private mutating func integer(_ t: [String: (value: ConfigValue, layer: Int)], _ table: String, _ key: String) -> Int? {
        guard let entry = t[key] else { return nil }
        if case .integer(let i) = entry.value { return i }
        report(layers[entry.layer], "\(table).\(key)", "\(key) must be an integer, not \(entry.value.typeName)")
        return nil
    }

    private mutating func strings(_ t: [String: (value: ConfigValue, layer: Int)], _ table: String, _ key: String) -> [String]? {
        guard let entry = t[key] else { return nil }
        guard case .array(let items) = entry.value else {
            report(layers[entry.layer], "\(table).\(key)", "\(key) must be an array of strings, not \(entry.value.typeName)")
            return nil
        }
        var out: [String] = []
        for item in items {
            guard case .string(let s) = item else {
                report(layers[entry.layer], "\(table).\(key)", "\(key) must hold only strings")
                return nil
            }
            out.append(s)
        }
        return out
    }

    // MARK: Reporting

    /// Records a problem at the key `path` of `layer`; `offset` points inside a string value.
    mutating func report(_ layer: ConfigLayer?, _ path: String, _ message: String, offset: Int? = nil, warning: Bool = false) {
        var position = layer?.locator.position(path)
        if let offset, let p = position { position = SourcePosition(line: p.line, column: p.column + 1 + offset) }
        var d = ConfigDiagnostic(position: position, message: message, isWarning: warning)
        d.file = layer?.path ?? ""
        d.key = path
        diagnostics.append(d)
    }
}
