internal import CallPopCore
internal import CallPopLookup

/// Builds a `Configuration` from layered files, recording each problem where it stands.
struct ConfigBuilder {
    let layers: [ConfigLayer]
    let environment: [String: String]
    private(set) var diagnostics: [ConfigDiagnostic] = []
    /// Environment variables secrets are read from: children never inherit them.
    private(set) var secretEnvironment = SecretVariables.always
    /// The `[[directory]]` names rules may filter on; nil while unknown (provisioned rules).
    var directoryNames: [String]?

    init(layers: [ConfigLayer], environment: [String: String]) {
        self.layers = layers
        self.environment = environment
    }

    mutating func build() -> Configuration {
        for layer in layers { checkTopLevel(layer) }
        let user = buildUser()
        let lookup = buildLookup()
        directoryNames = lookup.directories.map(\.name)
        let rules = buildRules()
        var ruleSet = RuleSet(
            user: user, colleagues: buildColleagues(), launch: LaunchPolicy(), launchesPerMinute: 10, rules: rules,
            looksUpCallers: lookup.isActive)
        var portal = PortalMode.auto
        buildLaunch(into: &ruleSet, portal: &portal)
        let pbx = buildPBX()
        let connection = buildConnection(pbx, user: user)
        let notifications = buildNotifications()
        let callbacks = buildCallbacks()
        let directory = buildColleagueDirectory()
        let provisioning = buildProvisioning(user: user)
        let dial = buildDial(user: user, colleagues: ruleSet.colleagues, connection: connection)
        let history = buildHistory()
        checkPrograms(rules, opener: ruleSet.launch.opener)
        diagnostics = inFileOrder(diagnostics)
        var configuration = Configuration(
            files: layers.map(\.path), ruleSet: ruleSet, pbx: pbx, connection: connection, notifications: notifications,
            portal: portal, history: history,
            warnings: diagnostics.filter(\.isWarning))
        configuration.callbacks = callbacks
        configuration.colleagueDirectory = directory
        configuration.provisioning = provisioning
        configuration.dial = dial
        configuration.lookup = lookup
        // Named even when the secret comes from a file: the session may still hold the variable.
        secretEnvironment.insert(pbxPasswordVariable)
        configuration.secretEnvironment = secretEnvironment
        return configuration
    }

    /// The problems as a compiler lists them: file by file, then by line and column. They are
    /// found table by table (rules before `[launch]`), which is not the order a reader goes in.
    func inFileOrder(_ found: [ConfigDiagnostic]) -> [ConfigDiagnostic] {
        let files = layers.map(\.path)
        func key(_ item: (offset: Int, element: ConfigDiagnostic)) -> (Int, Int, Int, Int) {
            let d = item.element
            return (files.firstIndex(of: d.file) ?? files.count, d.position?.line ?? 0, d.position?.column ?? 0, item.offset)
        }
        return found.enumerated().sorted { key($0) < key($1) }.map(\.element)
    }

    // MARK: Tables

    mutating func checkTopLevel(_ layer: ConfigLayer) {
        for (key, value) in layer.values.sorted(by: { $0.key < $1.key }) {
            guard ConfigSchema.tables.contains(key) else {
                let hint = Suggestion.closest(to: key, among: ConfigSchema.tables).map { $0 == "popup" ? "did you mean [[popup]]?" : "did you mean [\($0)]?" }
                    ?? "known tables: \(ConfigSchema.tables.sorted().joined(separator: ", "))"
                // `[[popups]]` is located as its first entry.
                report(layer, layer.locator.position(key) == nil ? key + "[0]" : key, "unknown table or key '\(key)'; \(hint)")
                continue
            }
            if ConfigSchema.ruleLists.contains(key) {
                guard case .array = value else { report(layer, key, "'\(key)' must be written as [[\(key)]] tables"); continue }
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

    mutating func checkKeys(_ name: String, _ known: Set<String>, _ values: [String: (value: ConfigValue, layer: Int)]) {
        for (key, entry) in values.sorted(by: { $0.key < $1.key }) where !known.contains(key) {
            let hint = key == "password" || key == "secret" || key == "token"
                ? "secrets never sit in the configuration file: use password_file (mode 600) or the \(ConfigSchema.defaultPasswordEnvironment) environment variable"
                : Suggestion.closest(to: key, among: known).map { "did you mean '\($0)'?" } ?? "known keys: \(known.sorted().joined(separator: ", "))"
            report(layers[entry.layer], "\(name).\(key)", "unknown key '\(key)' in [\(name)]; \(hint)")
        }
    }

    // MARK: Typed access

    /// The secret in the environment variable `name`: the one way a setting reads a secret
    /// from the environment, so that the variable joins the list children never inherit.
    mutating func secretFromEnvironment(_ name: String) -> String? {
        secretEnvironment.insert(name)
        return environment[name]
    }

    mutating func string(_ t: [String: (value: ConfigValue, layer: Int)], _ table: String, _ key: String) -> String? {
        guard let entry = t[key] else { return nil }
        if case .string(let s) = entry.value { return s }
        report(layers[entry.layer], "\(table).\(key)", "\(key) must be a string, not \(entry.value.typeName)")
        return nil
    }

    mutating func bool(_ t: [String: (value: ConfigValue, layer: Int)], _ table: String, _ key: String) -> Bool? {
        guard let entry = t[key] else { return nil }
        if case .boolean(let b) = entry.value { return b }
        report(layers[entry.layer], "\(table).\(key)", "\(key) must be true or false, not \(entry.value.typeName)")
        return nil
    }

    mutating func integer(_ t: [String: (value: ConfigValue, layer: Int)], _ table: String, _ key: String) -> Int? {
        guard let entry = t[key] else { return nil }
        if case .integer(let i) = entry.value { return i }
        report(layers[entry.layer], "\(table).\(key)", "\(key) must be an integer, not \(entry.value.typeName)")
        return nil
    }

    mutating func strings(_ t: [String: (value: ConfigValue, layer: Int)], _ table: String, _ key: String) -> [String]? {
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
