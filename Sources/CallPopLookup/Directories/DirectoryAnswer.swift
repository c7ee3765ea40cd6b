public import CallPopCore

/// What one directory said about one number.
public enum DirectoryAnswer: Sendable, Hashable {
    /// The contacts whose numbers match, best first (never empty).
    case found([Contact])
    /// Nobody has this number.
    case notFound
    /// The directory could not answer: why, safe to log (no secrets, no caller data).
    case failed(String)
    /// The directory was not asked: why (disabled, resting after a failure).
    case skipped(String)

    /// The first contact found, if any.
    public var contact: Contact? {
        if case .found(let contacts) = self { contacts.first } else { nil }
    }

    /// The answer for contacts a lookup returned: found or not found.
    public init(_ contacts: [Contact]) {
        self = contacts.isEmpty ? .notFound : .found(contacts)
    }

    /// `found`, `not-found`, `failed` or `skipped`, as `callpop lookup --json` writes it.
    public var outcome: String {
        switch self {
        case .found: "found"
        case .notFound: "not-found"
        case .failed: "failed"
        case .skipped: "skipped"
        }
    }
}

extension Contact {
    /// The contact as calls and templates see it; its record URL only when `hosts` admit it.
    public func callerContact(recordHosts hosts: RecordHosts) -> CallerContact {
        CallerContact(name: name, organisation: organisation, url: hosts.admits(url) ? url : "", id: id, directory: directory)
    }
}
