internal import CallPopCore

/// Reads contacts from vCard 2.1, 3.0 and 4.0 data (RFC 2426, RFC 6350): one card (a CardDAV
/// `address-data`) or a whole export (GNOME Contacts, Thunderbird, khard, Google, Apple, Outlook).
///
/// Written for hostile and sloppy input: the size is capped, lines that are too long (photos)
/// are skipped, unknown properties and malformed lines are ignored, a card that is not closed
/// by `END:VCARD` (a file cut short) is dropped rather than half-read, and all text is cleaned
/// of control characters. Nothing here can fail but the size check.
public enum VCardReader {
    /// The largest input accepted: far above any address book without photos.
    public static let maximumBytes = 64 * 1024 * 1024
    /// Longer content lines are skipped unread (their start is still checked for BEGIN/END).
    public static let maximumLineBytes = 16 * 1024
    /// The most contacts read from one input.
    public static let maximumContacts = 200_000
    /// The most numbers kept per contact.
    public static let maximumNumbersPerContact = 64

    /// The contacts in `bytes`, each marked as coming from `directory`.
    public static func contacts(in bytes: [UInt8], directory: String) throws(LookupError) -> [Contact] {
        guard bytes.count <= maximumBytes else {
            throw LookupError(.tooLarge(limit: maximumBytes), "vCard data of \(bytes.count) bytes is over the \(maximumBytes)-byte limit")
        }
        var contacts: [Contact] = []
        var card: VCardBuilder?
        for line in VCardLines(TextDecoding.utf8(bytes), maximumLineBytes: maximumLineBytes) {
            guard let property = VCardProperty(line.bytes[...]) else { continue }
            let value = String(decoding: property.value.prefix(16), as: UTF8.self).trimmingSpaces.uppercased()
            if property.name == "BEGIN", value == "VCARD" {
                // A card opened inside a card (vCard 2.1 AGENT, or a lost END) restarts: the
                // unclosed one is dropped, never merged with the next.
                card = VCardBuilder(directory: directory)
            } else if property.name == "END", value == "VCARD" {
                if let finished = card?.contact {
                    contacts.append(finished)
                    if contacts.count == maximumContacts { break }
                }
                card = nil
            } else if !line.truncated {
                card?.add(property)
            }
        }
        return contacts
    }
}

/// Collects the properties of one card into a `Contact`.
struct VCardBuilder {
    private let directory: String
    private var formattedName = ""
    private var structuredName: [String] = []
    private var organisation = ""
    private var url = ""
    private var uid = ""
    private var note = ""
    private var numbers: [(group: String, number: ContactNumber)] = []
    private var labels: [String: String] = [:]

    init(directory: String) {
        self.directory = directory
    }

    mutating func add(_ property: VCardProperty) {
        switch property.name {
        // Names are cleaned as they are read, so a name of nothing but control characters
        // counts as no name (the card falls back to N or ORG, or is dropped).
        case "FN": if formattedName.isEmpty { formattedName = ContactText.text(text(property)) }
        case "N": if structuredName.isEmpty { structuredName = VCardText.components(decoded(property)[...]).map(ContactText.text) }
        case "ORG": if organisation.isEmpty { organisation = VCardText.components(decoded(property)[...]).map(ContactText.text).filter { !$0.isEmpty }.joined(separator: ", ") }
        case "URL": if url.isEmpty { url = text(property) }
        case "UID": if uid.isEmpty { uid = text(property) }
        case "NOTE": if note.isEmpty { note = text(property) }
        case "TEL":
            guard numbers.count < VCardReader.maximumNumbersPerContact else { return }
            // Numbers and kinds are shown (`callpop lookup`) and passed on like names: cleaned alike.
            let written = ContactText.text(text(property))
            guard !written.isEmpty else { return }
            // Split by scalars: a combining mark after a `,` must not join two kinds.
            let kinds = property.parameter("TYPE").flatMap { $0.unicodeScalars.split(separator: ",").map { ContactText.text(String($0)) } }
                .filter { !$0.isEmpty && $0 != "pref" }
            numbers.append((property.group, ContactNumber(written, kinds: kinds)))
        case "X-ABLABEL":
            // Apple's item groups: `item1.TEL:…` with `item1.X-ABLabel:_$!<Mobile>!$_`.
            guard !property.group.isEmpty else { return }
            labels[property.group] = ContactText.text(text(property).replacing("_$!<", with: "").replacing(">!$_", with: "").lowercased())
        default: break
        }
    }

    /// The finished contact; `nil` for a card with neither a name nor a number.
    var contact: Contact? {
        let numbers = numbers.map { entry in
            var number = entry.number
            if let label = labels[entry.group], !label.isEmpty, !number.kinds.contains(label) { number.kinds.append(label) }
            return number
        }
        var name = formattedName
        if name.isEmpty, structuredName.count >= 2 {
            // N is family;given;additional;prefixes;suffixes: show "given family".
            name = [structuredName[1], structuredName[0]].filter { !$0.isEmpty }.joined(separator: " ")
        }
        if name.isEmpty { name = organisation }
        // Joined names may pass the value limit: cut them as every value is cut.
        name = ContactText.text(name)
        guard !name.isEmpty || !numbers.isEmpty else { return nil }
        return Contact(
            name: name, organisation: ContactText.text(organisation), url: ContactText.url(url),
            id: ContactText.text(uid), directory: directory, numbers: numbers, note: ContactText.text(note))
    }

    /// The property's value as text: legacy encodings decoded, escapes resolved.
    private func text(_ property: VCardProperty) -> String {
        VCardText.unescape(decoded(property)[...]).trimmingSpaces
    }

    /// The value's bytes as UTF-8, with vCard 2.1 quoted-printable and Latin-1 decoded.
    private func decoded(_ property: VCardProperty) -> [UInt8] {
        var bytes = Array(property.value)
        if property.parameter("ENCODING").contains("quoted-printable") || property.parameter("TYPE").contains("quoted-printable") {
            bytes = VCardText.decodeQuotedPrintable(bytes[...])
        }
        if let charset = property.parameter("CHARSET").first, charset != "utf-8", charset != "utf8",
           String(validating: bytes, as: UTF8.self) == nil {
            bytes = VCardText.latin1ToUTF8(bytes)
        }
        return bytes
    }
}
