internal import CallPopCore

/// Where a CRM's JSON response keeps the contact (an `http` directory's `name`, `company`,
/// `url` and `id` field paths).
public struct JSONContactFields: Sendable, Hashable {
    /// The contact's name; a response without it is "not found".
    public var name: JSONFieldPath
    /// The organisation.
    public var organisation: JSONFieldPath?
    /// The record's URL.
    public var url: JSONFieldPath?
    /// The record's id.
    public var id: JSONFieldPath?

    /// Creates the field set.
    public init(name: JSONFieldPath, organisation: JSONFieldPath? = nil, url: JSONFieldPath? = nil, id: JSONFieldPath? = nil) {
        self.name = name
        self.organisation = organisation
        self.url = url
        self.id = id
    }

    /// The contact in a response body; `nil` when the name is missing or empty.
    public func contact(in body: [UInt8], directory: String) throws(LookupError) -> Contact? {
        let root = try JSONValue(parsing: body)
        guard let name = name.text(in: root).map(UntrustedText.templateValue(_:)), !name.trimmingSpaces.isEmpty else { return nil }
        return Contact(
            name: name, organisation: UntrustedText.templateValue(organisation?.text(in: root) ?? ""),
            url: ContactText.url(url?.text(in: root) ?? ""), id: UntrustedText.templateValue(id?.text(in: root) ?? ""), directory: directory)
    }
}
