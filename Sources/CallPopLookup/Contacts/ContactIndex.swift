/// Contacts by phone number, built once from any source (vCards, CSV, a CardDAV sync), for
/// lookups that cost a few dictionary probes: by E.164 form, and by the last digits for
/// numbers whose country is unknown. Every candidate is confirmed by the `NumberMatcher`.
public struct ContactIndex: Sendable {
    /// The matcher the index was built with.
    public let matcher: NumberMatcher
    /// Every contact, in the order added.
    public private(set) var contacts: [Contact] = []
    private var byE164: [String: [Int]] = [:]
    private var byTail: [Substring: [Int]] = [:]
    private var numbers: [[PhoneNumber]] = []

    /// An empty index.
    public init(matcher: NumberMatcher) {
        self.matcher = matcher
    }

    /// An index of `contacts`.
    public init(_ contacts: some Sequence<Contact>, matcher: NumberMatcher) {
        self.matcher = matcher
        for contact in contacts { add(contact) }
    }

    /// Adds a contact; one without a readable number is kept but never found by number.
    public mutating func add(_ contact: Contact) {
        let position = contacts.count
        let parsed = contact.numbers.compactMap { matcher.number($0.text) }
        contacts.append(contact)
        numbers.append(parsed)
        // A contact with one number written twice is filed once under it.
        for e164 in Set(parsed.compactMap(\.e164)) { byE164[e164, default: []].append(position) }
        for tail in Set(parsed.map { $0.tail(matcher.minimumDigits) }) { byTail[tail, default: []].append(position) }
    }

    /// The contacts with a number that matches `text`: exact E.164 matches first, each once,
    /// else in the order they were added. Empty for a text that is no phone number.
    public func lookup(_ text: String) -> [Contact] {
        guard let wanted = matcher.number(text) else { return [] }
        var found: [Int] = []
        if let e164 = wanted.e164 { found = byE164[e164] ?? [] }
        for candidate in byTail[wanted.tail(matcher.minimumDigits)] ?? [] where !found.contains(candidate) {
            if numbers[candidate].contains(where: { matcher.matches($0, wanted) }) { found.append(candidate) }
        }
        return found.map { contacts[$0] }
    }
}
