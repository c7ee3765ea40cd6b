internal import CallPopCore
internal import CallPopLookup

extension RuleTable {
    /// The `[[directory]]` entries and the lookup budget, for `callpop check`; nothing without any.
    static func directoryLines(_ lookup: LookupSettings) -> [String] {
        guard !lookup.directories.isEmpty else { return [] }
        let rows = lookup.directories.map { directory -> [String] in
            let source: String
            switch directory.kind {
            case .cardDAV(let dav): source = dav.url + (dav.user.isEmpty ? "" : " as \(dav.user)")
            case .ldap(let ldap): source = "\(ldap.uri)\(ldap.startTLS ? " (StartTLS)" : "") \(ldap.base)"
            case .http(let api): source = "GET " + api.url.source
            case .file(let files): source = files.paths.joined(separator: ", ")
            }
            let seconds = Double(directory.timeout / .milliseconds(1)) / 1000
            return [directory.name, directory.typeName, directory.enabled ? "yes" : "no", "\(seconds) s", source]
        }
        let budget = Int(lookup.budget / .milliseconds(1))
        return [""] + table(["DIRECTORY", "TYPE", "ENABLED", "TIMEOUT", "SOURCE"], rows)
            + ["lookup: rules that use the contact wait up to \(budget) ms; answers cached \(Int(lookup.foundTTL / .seconds(1))) s (found), \(Int(lookup.notFoundTTL / .seconds(1))) s (not found)"]
    }
}
