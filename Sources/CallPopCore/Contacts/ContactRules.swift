/// What caller lookup means for rules and templates: which rules wait for the answer, and
/// which templates open a contact's record as a whole URL.
extension Template {
    /// Whether a placeholder takes a value from caller lookup. Scans the segments (no
    /// allocation): asked for every rule on every trigger.
    public var usesContact: Bool {
        segments.contains { segment in
            if case .variable(let variable, _) = segment { variable.isContact } else { false }
        }
    }

    /// Whether the template starts with `{CONTACTURL}` as it is: the contact's record URL,
    /// inserted whole (not percent-encoded) and checked as a URL when expanded. Its scheme and
    /// host come from the directory, never from the caller: only URLs on the directory's
    /// `record_hosts` reach `CallerContact.url`.
    public var startsWithContactURL: Bool {
        if case .variable(.contactURL, .none)? = segments.first { true } else { false }
    }
}

extension PopupTarget {
    /// Whether any of the target's templates takes a value from caller lookup.
    public var usesContact: Bool {
        switch self {
        case .url(let template): template.usesContact
        case .app(let words): words.contains { $0.usesContact }
        }
    }
}

extension PopupRule {
    /// Whether the rule filters on what caller lookup found (`known`, `directory`).
    public var filtersOnContact: Bool { known != nil || !directories.isEmpty }

    /// Whether the rule must wait for caller lookup before it is decided: it filters on the
    /// contact or its target uses a contact variable. Every other rule is decided at once.
    public var waitsForContact: Bool { filtersOnContact || target.usesContact }

    /// Why the rule's contact filters reject a call whose lookup found `contact`, or nil.
    func contactFilterRejects(_ contact: CallerContact?) -> Decision.SkipReason? {
        if let known {
            if known, contact == nil { return .unknownCaller }
            if !known, contact != nil { return .knownCaller }
        }
        if !directories.isEmpty, !(contact.map { directories.contains($0.directory) } ?? false) { return .directory }
        return nil
    }
}

extension CallbackRule {
    /// Whether the URL, body or a header takes a value from caller lookup: then the call's
    /// callbacks wait for the lookup's answer (or its budget), like popups that use it.
    public var usesContact: Bool {
        if url.usesContact || headers.contains(where: { $0.value.usesContact }) { return true }
        switch body {
        case .form(let template)?: return template.usesContact
        case .json(let json)?: return json.template.usesContact
        case nil: return false
        }
    }
}
