internal import CallPopCore

/// The single-table sections: `[user]`, `[colleagues]`, `[launch]`, `[notifications]`, `[pbx]`.
extension ConfigBuilder {
    mutating func buildUser() -> UserIdentity {
        let t = table("user")
        checkKeys("user", ConfigSchema.user, t)
        var number = ""
        if let entry = t["number"], case .integer(let digits) = entry.value {
            // `number = 201`: one error that shows the fix, not a second one saying it is missing.
            report(layers[entry.layer], "user.number", "number must be a string: write number = \"\(digits)\" (a number may start with 0 or +)")
            number = String(digits)
        } else {
            number = string(t, "user", "number") ?? ""
            // A misspelt `numbr` is reported as such; saying number is missing as well would be noise.
            let misspelt = t.keys.contains { $0 != "number" && Suggestion.closest(to: $0, among: ConfigSchema.user) == "number" }
            if number.isEmpty, !misspelt, t["number"] == nil || t["number"]?.value == .string("") {
                report(layers.last, "user", "[user] number is required: the user's own extension, e.g. number = \"201\"")
            }
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

    mutating func buildColleagues() -> ColleaguePolicy {
        let t = table("colleagues")
        checkKeys("colleagues", ConfigSchema.colleagues, t)
        var policy = ColleaguePolicy()
        if let numbers = strings(t, "colleagues", "numbers") {
            policy.patterns = numbers.compactMap(NumberPattern.init)
        }
        if let same = bool(t, "colleagues", "same_length_as_user") { policy.sameLengthAsUser = same }
        return policy
    }

    mutating func buildLaunch(into ruleSet: inout RuleSet, portal: inout PortalMode) {
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
                report(layers[t["portal"]!.layer], "launch.portal",
                       "portal must be auto, always or never, not '\(p)'" + Suggestion.phrase(for: p, among: PortalMode.allCases.map(\.rawValue)))
            }
        }
    }

    mutating func buildNotifications() -> NotificationPreferences {
        let t = table("notifications")
        checkKeys("notifications", ConfigSchema.notifications, t)
        var settings = NotificationPreferences()
        if let on = bool(t, "notifications", "enabled") { settings.enabled = on }
        if let icon = string(t, "notifications", "icon") { settings.icon = icon }
        if let delay = integer(t, "notifications", "problem_delay") {
            if delay < 0 { report(layers[t["problem_delay"]!.layer], "notifications.problem_delay", "problem_delay must be 0 or more seconds") }
            settings.problemDelay = max(0, delay)
        }
        if let phases = strings(t, "notifications", "phases") {
            let known: Set<String> = ["ringing", "answered", "missed"]
            for p in phases where !known.contains(p) {
                report(layers[t["phases"]!.layer], "notifications.phases",
                       "unknown phase '\(p)'" + Suggestion.phrase(for: p, among: known.sorted(), otherwise: "; use ringing, answered, missed"))
            }
            settings.phases = Set(phases)
        }
        return settings
    }

    mutating func buildPBX() -> PBXSettings {
        let t = table("pbx")
        var settings = PBXSettings()
        if let name = string(t, "pbx", "source") {
            if let source = PBXSettings.Source(rawValue: name) { settings.source = source } else {
                let names = PBXSettings.Source.allCases.map(\.rawValue)
                report(layers[t["source"]!.layer], "pbx.source",
                       "unknown source '\(name)'" + Suggestion.phrase(for: name, among: names, otherwise: "; use \(names.joined(separator: ", "))"))
            }
        }
        checkKeys("pbx", ConfigSchema.pbxCommon.union(ConfigSchema.pbx[settings.source] ?? []), t)
        for (k, entry) in t where !ConfigSchema.pbxCommon.contains(k) { settings.values[k] = entry.value }
        if settings.source == .ami || settings.source == .sip {
            settings.secret = readSecret(t)
        }
        return settings
    }

    mutating func readSecret(_ t: [String: (value: ConfigValue, layer: Int)]) -> String? {
        if let written = string(t, "pbx", "password_file") {
            return readSecretFile(written, layer: layers[t["password_file"]!.layer], key: "pbx.password_file")
        }
        let variable = string(t, "pbx", "password_env") ?? ConfigSchema.defaultPasswordEnvironment
        return secretFromEnvironment(variable)
    }
}
