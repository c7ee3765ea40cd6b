internal import CallPopCore
internal import CallPopLookup

/// `[lookup]` and `[[directory]]`: where callers are looked up, and the rules' `known` and
/// `directory` filters that use the answer.
extension ConfigBuilder {
    /// The lookup settings; the directories come from the last file that lists any (as with
    /// `[[popup]]`, a user's list replaces the system defaults' as a whole).
    mutating func buildLookup() -> LookupSettings {
        var settings = LookupSettings()
        let t = table("lookup")
        checkKeys("lookup", ConfigSchema.lookup, t)
        func duration(_ key: String, range: ClosedRange<Duration>) -> Duration? {
            guard let entry = t[key] else { return nil }
            return checkedDuration(entry.value, path: "lookup.\(key)", layer: layers[entry.layer], range: range)
        }
        settings.budget = duration("budget", range: .zero ... .seconds(10)) ?? settings.budget
        settings.foundTTL = duration("cache_ttl", range: .zero ... .seconds(30 * 86_400)) ?? settings.foundTTL
        settings.notFoundTTL = duration("negative_ttl", range: .zero ... .seconds(30 * 86_400)) ?? settings.notFoundTTL
        guard let index = layers.lastIndex(where: { if case .array? = $0.values["directory"] { true } else { false } }),
              case .array(let items)? = layers[index].values["directory"]
        else { return settings }
        let layer = layers[index]
        var seen: [String: Int] = [:]
        for (i, item) in items.enumerated() {
            let path = "directory[\(i)]"
            guard case .table(let entry) = item else { report(layer, path, "each directory must be a table"); continue }
            guard let directory = buildDirectory(entry, path: path, layer: layer) else { continue }
            if let other = seen[directory.name] {
                report(layer, "\(path).name", "directory name '\(directory.name)' is also used by directory \(other + 1); names must be unique")
                continue
            }
            seen[directory.name] = i
            settings.directories.append(directory)
        }
        return settings
    }

    /// The `directory` filter of a rule: one name or a list, each a configured directory.
    mutating func ruleDirectories(_ t: [String: ConfigValue], path: String, layer: ConfigLayer) -> [String] {
        guard let value = t["directory"] else { return [] }
        var names: [String]
        switch value {
        case .string(let name): names = [name]
        case .array: names = ruleStrings(t, "directory", path: path, layer: layer) ?? []
        default:
            report(layer, "\(path).directory", "directory must be a directory's name or a list of names, not \(value.typeName)")
            return []
        }
        names = names.filter { !$0.isEmpty }
        // Provisioned rules do not know the user's directories: their names are not checked.
        if let known = directoryNames {
            for name in names where !known.contains(name) {
                let hint = known.isEmpty
                    ? "; no [[directory]] is configured"
                    : Suggestion.phrase(for: name, among: known, otherwise: "; configured: \(known.joined(separator: ", "))")
                report(layer, "\(path).directory", "no [[directory]] is named '\(name)'\(hint)")
            }
        }
        return names
    }

    // MARK: One directory

    private mutating func buildDirectory(_ t: [String: ConfigValue], path: String, layer: ConfigLayer) -> DirectorySettings? {
        let name = ruleText(t, "name", path: path, layer: layer) ?? ""
        if name.isEmpty {
            report(layer, path, "every directory needs a name (rules' directory filter and {DIRECTORY} use it)")
        } else if name.utf8.count > 64 || !name.unicodeScalars.allSatisfy({ $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "-_. ".unicodeScalars.contains($0)) }) {
            report(layer, "\(path).name", "directory name '\(name.prefix(64))' may hold only letters, digits, spaces, '-', '_' and '.' (64 at most)")
        }
        let types = ConfigSchema.directoryTypes.keys.sorted()
        guard let type = ruleText(t, "type", path: path, layer: layer) else {
            report(layer, path, "directory '\(name)' needs a type: \(types.joined(separator: ", "))")
            return nil
        }
        guard let own = ConfigSchema.directoryTypes[type] else {
            let hint = Suggestion.phrase(for: type, among: types, otherwise: "; use \(types.joined(separator: ", "))", quote: { "\"\($0)\"" })
            report(layer, "\(path).type", "unknown directory type \"\(type)\"\(hint)")
            return nil
        }
        let known = own.union(ConfigSchema.directoryCommon)
        for key in t.keys.sorted() where !known.contains(key) {
            let hint = ["password", "secret", "token"].contains(key)
                ? "; secrets never sit in the configuration file: use password_file (mode 600) or password_env"
                : Suggestion.phrase(for: key, among: known, otherwise: "; known keys for \(type): \(known.sorted().joined(separator: ", "))")
            report(layer, "\(path).\(key)", "unknown key '\(key)' in [[directory]] of type \(type)\(hint)")
        }
        let kind: DirectorySettings.Kind?
        switch type {
        case "carddav": kind = buildCardDAV(t, path: path, layer: layer)
        case "ldap": kind = buildLDAP(t, path: path, layer: layer)
        case "http": kind = buildHTTPDirectory(t, path: path, layer: layer)
        default: kind = buildFileDirectory(t, path: path, layer: layer)
        }
        guard let kind, !name.isEmpty else { return nil }
        var directory = DirectorySettings(name: name, kind: kind)
        if let value = t["timeout"],
           let timeout = checkedDuration(value, path: "\(path).timeout", layer: layer, range: .milliseconds(100) ... .seconds(60)) {
            directory.timeout = timeout
        }
        if let enabled = ruleBool(t, "enabled", path: path, layer: layer) { directory.enabled = enabled }
        directory.recordHosts = recordHosts(t, kind: kind, path: path, layer: layer)
        return directory
    }

    private mutating func buildCardDAV(_ t: [String: ConfigValue], path: String, layer: ConfigLayer) -> DirectorySettings.Kind? {
        guard let url = webURL(t, "url", path: path, layer: layer,
                               example: "https://cloud.example.com/remote.php/dav/addressbooks/users/anna/contacts/") else { return nil }
        var settings = CardDAVDirectorySettings(url: url)
        settings.user = ruleText(t, "user", path: path, layer: layer) ?? ""
        settings.password = directoryPassword(t, path: path, layer: layer)
        if settings.password != nil, settings.user.isEmpty {
            report(layer, "\(path).user", "a CardDAV password needs its user: user = \"anna\"")
        }
        settings.caFile = ruleText(t, "ca_file", path: path, layer: layer).map(expandHome)
        if let value = t["refresh"],
           let refresh = checkedDuration(value, path: "\(path).refresh", layer: layer, range: .seconds(60) ... .seconds(7 * 86_400)) {
            settings.refresh = refresh
        }
        return .cardDAV(settings)
    }

    private mutating func buildLDAP(_ t: [String: ConfigValue], path: String, layer: ConfigLayer) -> DirectorySettings.Kind? {
        guard let uri = ruleText(t, "uri", path: path, layer: layer) else {
            report(layer, path, "an ldap directory needs uri = \"ldap://ldap.example.com\" (or ldaps://)")
            return nil
        }
        guard refusesPassword(in: uri, path: "\(path).uri", layer: layer) else { return nil }
        let lowered = uri.lowercased()
        let host = uri.drop { $0 != "/" }.dropFirst(2)
        guard lowered.hasPrefix("ldap://") || lowered.hasPrefix("ldaps://"), !host.isEmpty,
              !uri.unicodeScalars.contains(where: { $0.value <= 0x20 || $0.value == 0x7F }) else {
            report(layer, "\(path).uri", "uri must be one ldap:// or ldaps:// URI, like ldap://ldap.example.com:389")
            return nil
        }
        guard let base = ruleText(t, "base", path: path, layer: layer), !base.isEmpty else {
            report(layer, path, "an ldap directory needs base = \"ou=people,dc=example,dc=com\"")
            return nil
        }
        let filterText = ruleText(t, "filter", path: path, layer: layer) ?? LDAPFilterTemplate.standard
        let filter: LDAPFilterTemplate
        do {
            filter = try LDAPFilterTemplate(filterText)
        } catch {
            report(layer, "\(path).filter", "filter: \(error.message)", offset: error.column.map { $0 - 1 })
            return nil
        }
        var settings = LDAPDirectorySettings(uri: uri, base: base, filter: filter)
        if let startTLS = ruleBool(t, "start_tls", path: path, layer: layer) {
            settings.startTLS = startTLS
            if startTLS, lowered.hasPrefix("ldaps://") {
                report(layer, "\(path).start_tls", "start_tls is for ldap:// URIs; ldaps:// is TLS from the start")
            }
        }
        settings.bindDN = ruleText(t, "bind_dn", path: path, layer: layer)
        settings.password = directoryPassword(t, path: path, layer: layer)
        if settings.password != nil, settings.bindDN == nil {
            report(layer, "\(path).bind_dn", "a bind password needs its DN: bind_dn = \"uid=callpop,ou=services,dc=example,dc=com\"")
        }
        func attributes(_ key: String) -> [String]? {
            guard let list = ruleStrings(t, key, path: path, layer: layer) else { return nil }
            if list.isEmpty || list.contains(where: { $0.isEmpty || !$0.utf8.allSatisfy { HeaderField.isTokenByte($0) && $0 != UInt8(ascii: "*") } }) {
                report(layer, "\(path).\(key)", "\(key) must list attribute names such as \"telephoneNumber\"")
                return nil
            }
            return list
        }
        if let list = attributes("number_attributes") { settings.numberAttributes = list }
        if let list = attributes("name_attributes") { settings.nameAttributes = list }
        if let list = attributes("organisation_attributes") { settings.organisationAttributes = list }
        if let list = attributes("url_attributes") { settings.urlAttributes = list }
        settings.idAttribute = ruleText(t, "id_attribute", path: path, layer: layer)
        settings.caFile = ruleText(t, "ca_file", path: path, layer: layer).map(expandHome)
        if let value = t["size_limit"] {
            if case .integer(let limit) = value, (1...1000).contains(limit) { settings.sizeLimit = limit } else {
                report(layer, "\(path).size_limit", "size_limit must be a whole number from 1 to 1000")
            }
        }
        return .ldap(settings)
    }

    private mutating func buildHTTPDirectory(_ t: [String: ConfigValue], path: String, layer: ConfigLayer) -> DirectorySettings.Kind? {
        guard let text = ruleText(t, "url", path: path, layer: layer) else {
            report(layer, path, "an http directory needs url = \"https://crm.example.com/api/contacts?phone={CALLERNUM:e164}\"")
            return nil
        }
        guard let url = parseTemplate(text, path: "\(path).url", layer: layer) else { return nil }
        let allowed: Set<TemplateVariable> = [.callerNumber, .userNumber, .userName]
        if let other = url.variables.first(where: { !allowed.contains($0) }) {
            report(layer, "\(path).url", "{\(other.rawValue)} cannot be used in a directory's url: only {CALLERNUM} (with its number forms), {USERNUM} and {USERNAME} are known when a caller is looked up")
            return nil
        }
        checkStaticURL(url, path: "\(path).url", layer: layer, allowedSchemes: ["http", "https"])
        guard let nameText = ruleText(t, "name_field", path: path, layer: layer) else {
            report(layer, path, "an http directory needs name_field, the path of the contact's name in the response (e.g. \"data[0].name\")")
            return nil
        }
        func field(_ key: String, _ text: String?) -> JSONFieldPath? {
            guard let text else { return nil }
            do {
                return try JSONFieldPath(text)
            } catch {
                report(layer, "\(path).\(key)", "\(key): \(error.message)", offset: error.column.map { $0 - 1 })
                return nil
            }
        }
        guard let name = field("name_field", nameText) else { return nil }
        let fields = JSONContactFields(
            name: name, organisation: field("company_field", ruleText(t, "company_field", path: path, layer: layer)),
            url: field("url_field", ruleText(t, "url_field", path: path, layer: layer)),
            id: field("id_field", ruleText(t, "id_field", path: path, layer: layer)))
        var headers: [HeaderField] = []
        if let value = t["headers"] {
            if case .table(let entries) = value {
                for (header, text) in entries.sorted(by: { $0.key < $1.key }) {
                    guard HeaderField.isValidName(header) else { report(layer, "\(path).headers", "'\(header)' is not a header name"); continue }
                    guard case .string(let text) = text, HeaderField.isValidValue(text) else {
                        report(layer, "\(path).headers", "header \(header) must be one line of text")
                        continue
                    }
                    if ["authorization", "cookie", "proxy-authorization"].contains(header.lowercased()) {
                        report(layer, "\(path).headers", "header \(header) carries a secret: use token_file or secret_headers so it never sits in this file")
                        continue
                    }
                    headers.append(HeaderField(header, text))
                }
            } else {
                report(layer, "\(path).headers", "headers must be a table: headers = { Accept = \"application/json\" }")
            }
        }
        headers += secretHeaders(t, path: path, layer: layer)
        let caFile = ruleText(t, "ca_file", path: path, layer: layer).map(expandHome)
        return .http(HTTPDirectorySettings(url: url, headers: headers, fields: fields, caFile: caFile))
    }

    private mutating func buildFileDirectory(_ t: [String: ConfigValue], path: String, layer: ConfigLayer) -> DirectorySettings.Kind? {
        var written: [String]
        switch t["path"] {
        case .string(let one)?: written = [one]
        case .array?: written = ruleStrings(t, "path", path: path, layer: layer) ?? []
        case nil:
            report(layer, path, "a file directory needs path = \"~/Contacts\" (a .vcf or .csv file, or a folder of them)")
            return nil
        case let other?:
            report(layer, "\(path).path", "path must be a file or folder, or a list of them, not \(other.typeName)")
            return nil
        }
        written = written.filter { !$0.isEmpty }
        guard !written.isEmpty else {
            report(layer, "\(path).path", "path names no file")
            return nil
        }
        var paths: [String] = []
        for entry in written {
            let expanded = expandHome(entry)
            guard expanded.hasPrefix("/") else {
                report(layer, "\(path).path", "path '\(entry)' must be absolute or start with ~/")
                continue
            }
            if FileText.mode(expanded) == nil {
                report(layer, "\(path).path", "'\(expanded)' does not exist (yet); it is read once it does", warning: true)
            }
            paths.append(expanded)
        }
        return paths.isEmpty ? nil : .file(FileDirectorySettings(paths: paths))
    }

    // MARK: Shared pieces

    /// An absolute `http(s)` URL without variables.
    private mutating func webURL(_ t: [String: ConfigValue], _ key: String, path: String, layer: ConfigLayer, example: String) -> String? {
        guard let url = ruleText(t, key, path: path, layer: layer) else {
            report(layer, path, "this directory needs \(key) = \"\(example)\"")
            return nil
        }
        guard refusesPassword(in: url, path: "\(path).\(key)", layer: layer) else { return nil }
        do throws(URLCheck.Refusal) {
            try URLCheck.validate(url, allowedSchemes: ["http", "https"])
        } catch {
            report(layer, "\(path).\(key)", "\(key) is not an http:// or https:// URL: \(error.description)")
            return nil
        }
        return url
    }

    /// `password_file` (mode 600) or `password_env`; never the configuration file itself.
    private mutating func directoryPassword(_ t: [String: ConfigValue], path: String, layer: ConfigLayer) -> DirectorySecret? {
        if t["password_file"] != nil, t["password_env"] != nil {
            report(layer, "\(path).password_env", "give the password one way: password_file or password_env, not both")
        }
        if let file = ruleText(t, "password_file", path: path, layer: layer) {
            return readSecretFile(file, layer: layer, key: "\(path).password_file").map(DirectorySecret.init)
        }
        guard let variable = ruleText(t, "password_env", path: path, layer: layer) else { return nil }
        guard let value = secretFromEnvironment(variable) else {
            report(layer, "\(path).password_env", "the environment variable \(variable) is not set")
            return nil
        }
        return DirectorySecret(value)
    }

    /// `record_hosts`, or by default the host of the directory's own URL (`carddav`, `http`).
    private mutating func recordHosts(_ t: [String: ConfigValue], kind: DirectorySettings.Kind, path: String, layer: ConfigLayer) -> [String] {
        if let hosts = ruleStrings(t, "record_hosts", path: path, layer: layer) {
            for host in hosts where !RecordHosts.isValidPattern(host) {
                report(layer, "\(path).record_hosts", "'\(host)' is not a host name: write crm.example.com or *.example.com")
            }
            return hosts.filter(RecordHosts.isValidPattern)
        }
        switch kind {
        case .cardDAV(let settings): return RecordHosts.host(of: settings.url).map { [$0] } ?? []
        case .http(let settings): return RecordHosts.host(of: settings.url.leadingLiteral).map { [$0] } ?? []
        case .ldap, .file: return []
        }
    }

    /// A duration within `range` (`"300ms"`, `"2s"`, or whole seconds).
    mutating func checkedDuration(_ value: ConfigValue, path: String, layer: ConfigLayer, range: ClosedRange<Duration>) -> Duration? {
        let key = path.split(separator: ".").last.map(String.init) ?? path
        guard let duration = DurationText.parse(value) else {
            report(layer, path, "\(key) must be a duration such as \"300ms\", \"2s\" or \"15m\" (or whole seconds)")
            return nil
        }
        guard range.contains(duration) else {
            report(layer, path, "\(key) must be from \(DurationText.describe(range.lowerBound)) to \(DurationText.describe(range.upperBound))")
            return nil
        }
        return duration
    }
}
