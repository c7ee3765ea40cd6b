public import CallPopCore
public import CallPopLookup

/// What `callpop lookup NUMBER` shows: the number as callpop reads it, and what every
/// directory says about it, with timings: the tool for "why is the name wrong?".
public struct LookupReport: Sendable {
    /// One directory's part.
    public struct Entry: Sendable {
        /// The directory's settings.
        public var settings: DirectorySettings
        /// Its answer now.
        public var answer: DirectoryAnswer
        /// How long it took; nil when it was not asked.
        public var elapsed: Duration?
        /// What the agent's cache holds for the number, when it holds something fresh.
        public var cached: DirectoryAnswer?
        /// A few words about its local copy (contacts, last sync).
        public var state = ""
    }

    /// The number as given.
    public var number: String
    /// Its normalised form (E.164 when the plan tells), nil when it is no phone number.
    public var normalized: String?
    /// The number plan used.
    public var plan: NumberPlan
    /// Each directory, in configured order.
    public var entries: [Entry]
    /// The contact the agent would show: the first directory's in order that knows the caller.
    public var contact: CallerContact?

    /// The report as lines of text.
    public var text: String {
        var lines: [String] = []
        let shown = UntrustedText.clean(number, for: .logLine)
        if let normalized {
            var plan = "country code \(self.plan.countryCode.isEmpty ? "not set" : "+" + self.plan.countryCode)"
            plan += ", national prefix \(self.plan.nationalPrefix.isEmpty ? "none" : self.plan.nationalPrefix)"
            lines.append("\(shown) is \(normalized) (\(plan))")
        } else {
            lines.append("\(shown) is no phone number: nothing is looked up")
        }
        if entries.isEmpty { lines.append("no [[directory]] is configured") }
        for entry in entries {
            let hosts = RecordHosts(entry.settings.recordHosts)
            var line = "\(entry.settings.name) (\(entry.settings.typeName)): \(Self.describe(entry.answer, hosts))"
            if let elapsed = entry.elapsed { line += " in \(Self.milliseconds(elapsed)) ms" }
            lines.append(line)
            if !entry.state.isEmpty { lines.append("    \(entry.state)") }
            if let cached = entry.cached { lines.append("    cached: \(Self.describe(cached, hosts))") }
        }
        if let contact {
            lines.append("shown as: \(Self.describe(contact))")
        } else if normalized != nil, !entries.isEmpty {
            lines.append("shown as: unknown caller")
        }
        return lines.joined(separator: "\n")
    }

    /// The report as one JSON object.
    public var json: String {
        var w = JSONObjectWriter()
        w.add("number", UntrustedText.clean(number, for: .logLine))
        w.add("normalized", ifPresent: normalized)
        let directories = entries.map { entry -> String in
            var d = JSONObjectWriter()
            d.add("name", entry.settings.name)
            d.add("type", entry.settings.typeName)
            d.add("enabled", entry.settings.enabled)
            d.add("outcome", entry.answer.outcome)
            if let elapsed = entry.elapsed { d.add("ms", Self.milliseconds(elapsed)) }
            switch entry.answer {
            case .found(let contacts): d.add("contacts", rawJSON: "[" + contacts.map(Self.json).joined(separator: ",") + "]")
            case .failed(let message), .skipped(let message): d.add("message", message)
            case .notFound: break
            }
            if let cached = entry.cached { d.add("cached", cached.outcome) }
            if !entry.state.isEmpty { d.add("state", entry.state) }
            return d.json
        }
        w.add("directories", rawJSON: "[" + directories.joined(separator: ",") + "]")
        if let contact {
            var c = JSONObjectWriter()
            c.add("name", contact.name)
            c.add("organisation", contact.organisation)
            c.add("url", contact.url)
            c.add("id", contact.id)
            c.add("directory", contact.directory)
            w.add("contact", rawJSON: c.json)
        }
        return w.json
    }

    private static func describe(_ answer: DirectoryAnswer, _ hosts: RecordHosts) -> String {
        switch answer {
        case .found(let contacts):
            let first = contacts[0]
            var text = "found " + describe(first.callerContact(recordHosts: hosts))
            if !first.url.isEmpty, !hosts.admits(first.url) {
                text += " (its URL \(UntrustedText.clean(first.url, for: .logLine)) is not on record_hosts: not used)"
            }
            if contacts.count > 1 { text += " (and \(contacts.count - 1) more with this number)" }
            return text
        case .notFound: return "nobody with this number"
        case .failed(let message): return "failed: \(message)"
        case .skipped(let why): return "not asked: \(why)"
        }
    }

    private static func describe(_ contact: CallerContact) -> String {
        var text = "\"\(UntrustedText.clean(contact.name, for: .logLine))\""
        if !contact.organisation.isEmpty { text += " (\(UntrustedText.clean(contact.organisation, for: .logLine)))" }
        if !contact.url.isEmpty { text += " <\(UntrustedText.clean(contact.url, for: .logLine))>" }
        if !contact.id.isEmpty { text += " id \(UntrustedText.clean(contact.id, for: .logLine))" }
        return text
    }

    private static func json(_ contact: Contact) -> String {
        var c = JSONObjectWriter()
        c.add("name", contact.name)
        c.add("organisation", contact.organisation)
        c.add("url", contact.url)
        c.add("id", contact.id)
        c.add("numbers", contact.numbers.map(\.text))
        return c.json
    }

    private static func milliseconds(_ duration: Duration) -> Int {
        Int(duration / .milliseconds(1))
    }
}
