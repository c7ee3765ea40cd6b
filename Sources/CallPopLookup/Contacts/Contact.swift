/// One person or company found in a directory: what a notification shows and what templates
/// get as `{CONTACTNAME}`, `{CONTACTORG}`, `{CONTACTURL}`, `{CONTACTID}` and `{DIRECTORY}`.
///
/// All text comes from address books, CRMs and servers, so it is untrusted: it is kept as
/// read (control characters removed) and encoded by whoever puts it somewhere.
public struct Contact: Sendable, Hashable, Codable {
    /// The name to show (vCard `FN`, LDAP `cn`/`displayName`, a CRM's name field).
    public var name: String
    /// The organisation (vCard `ORG`, LDAP `o`), empty when unknown.
    public var organisation: String
    /// A link to the contact's record (vCard `URL`, a CRM's record URL), empty when unknown.
    public var url: String
    /// The directory's identifier of the record (vCard `UID`, an LDAP DN, a CRM id).
    public var id: String
    /// The name of the `[[directory]]` entry the contact came from.
    public var directory: String
    /// The contact's phone numbers as the directory wrote them.
    public var numbers: [ContactNumber]
    /// A free-text note (vCard `NOTE`), empty when none.
    public var note: String

    /// Creates a contact.
    public init(
        name: String, organisation: String = "", url: String = "", id: String = "", directory: String,
        numbers: [ContactNumber] = [], note: String = ""
    ) {
        self.name = name
        self.organisation = organisation
        self.url = url
        self.id = id
        self.directory = directory
        self.numbers = numbers
        self.note = note
    }
}

/// A phone number of a contact, as written, with the kinds the directory gave it.
public struct ContactNumber: Sendable, Hashable, Codable {
    /// The number as the directory wrote it (`+49 (0)40 123-45`, `tel:+1-201-555-0123;ext=7`).
    public var text: String
    /// Lower-case kinds (`work`, `cell`, `home`, `voice`, `fax`) or a label; may be empty.
    public var kinds: [String]

    /// Creates a number.
    public init(_ text: String, kinds: [String] = []) {
        self.text = text
        self.kinds = kinds
    }
}
