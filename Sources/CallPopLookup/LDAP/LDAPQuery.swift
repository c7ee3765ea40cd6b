internal import CallPopCore

/// An LDAP entry as a search returns it: its DN and attribute values (names as the server
/// wrote them; LDAP attribute names are case-insensitive).
public struct LDAPEntry: Sendable, Hashable {
    /// The distinguished name.
    public var dn: String
    /// Values by attribute name.
    public var attributes: [String: [String]]

    /// Creates an entry.
    public init(dn: String, attributes: [String: [String]]) {
        self.dn = dn
        self.attributes = attributes
    }

    /// The values of `name`, compared without case.
    public func values(_ name: String) -> [String] {
        let lowered = name.lowercased()
        return attributes.first { $0.key.lowercased() == lowered }?.value ?? []
    }
}

/// What an `ldap` directory searches for and how its entries become contacts: the pure half of
/// an LDAP lookup; `CallPopLDAP` does the network half.
public struct LDAPQuery: Sendable, Hashable {
    /// The filter template.
    public var template: LDAPFilterTemplate
    /// Attributes holding phone numbers, checked against the caller number.
    public var numberAttributes: [String]
    /// Attributes tried in order for the name.
    public var nameAttributes: [String]
    /// Attributes tried in order for the organisation.
    public var organisationAttributes: [String]
    /// Attributes tried in order for the record URL (`labeledURI` values are `URL label`).
    public var urlAttributes: [String]
    /// The attribute used as the id; `nil` for the DN.
    public var idAttribute: String?
    /// The directory's name, put in every contact.
    public var directory: String
    /// The matcher that confirms each entry.
    public var matcher: NumberMatcher

    /// Creates a query with the `inetOrgPerson` defaults.
    public init(
        directory: String, matcher: NumberMatcher, template: LDAPFilterTemplate,
        numberAttributes: [String] = ["telephoneNumber", "mobile", "homePhone"],
        nameAttributes: [String] = ["displayName", "cn"], organisationAttributes: [String] = ["o", "company"],
        urlAttributes: [String] = ["labeledURI"], idAttribute: String? = nil
    ) {
        self.directory = directory
        self.matcher = matcher
        self.template = template
        self.numberAttributes = numberAttributes
        self.nameAttributes = nameAttributes
        self.organisationAttributes = organisationAttributes
        self.urlAttributes = urlAttributes
        self.idAttribute = idAttribute
    }

    /// The attributes to ask the server for.
    public var requestedAttributes: [String] {
        var seen: Set<String> = []
        return (numberAttributes + nameAttributes + organisationAttributes + urlAttributes + (idAttribute.map { [$0] } ?? []))
            .filter { seen.insert($0.lowercased()).inserted }
    }

    /// The search filter for `number`; `nil` when there is nothing to search for.
    public func filter(for number: String) -> String? {
        template.filter(for: number, matcher: matcher)
    }

    /// The entries whose numbers really match `number`, as contacts, in the server's order.
    public func contacts(for number: String, in entries: [LDAPEntry]) -> [Contact] {
        guard let wanted = matcher.number(number) else { return [] }
        return entries.compactMap { entry in
            let numbers = numberAttributes.flatMap { attribute in entry.values(attribute).map { ContactNumber($0, kinds: [attribute.lowercased()]) } }
            guard numbers.contains(where: { matcher.number($0.text).map { matcher.matches($0, wanted) } ?? false }) else { return nil }
            func first(_ attributes: [String]) -> String {
                attributes.lazy.compactMap { entry.values($0).first { !$0.trimmingSpaces.isEmpty } }.first ?? ""
            }
            // labeledURI is `URL label`: split by scalars, so a mark after the space does not join the label to the URL.
            let url = first(urlAttributes).trimmingSpaces.unicodeScalars.split(separator: " ", maxSplits: 1).first.map { String(Substring($0)) } ?? ""
            let id = idAttribute.map { first([$0]) } ?? entry.dn
            return Contact(
                name: UntrustedText.templateValue(first(nameAttributes)), organisation: UntrustedText.templateValue(first(organisationAttributes)),
                url: ContactText.url(url), id: UntrustedText.templateValue(id), directory: directory, numbers: numbers)
        }
    }
}
