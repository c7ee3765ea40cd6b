import CallPopLookup

/// vCard files and CardDAV `address-data`: whoever wrote the address book, or runs the
/// server, is not trusted (`VCardReader`: "nothing here can fail but the size check").
enum VCardFuzz {
    /// A card appended after the input. The line before it is an unknown property, so a
    /// quoted-printable soft break (`=`) at the input's end joins that line, not the card.
    static let appended = Array("\r\nX-FUZZ:1\r\nBEGIN:VCARD\r\nVERSION:3.0\r\nFN:Appended\r\nTEL:+49 40 1234567\r\nEND:VCARD\r\n".utf8)
    static let appendedContacts = (try? VCardReader.contacts(in: appended, directory: "fuzz")) ?? []

    /// Reads or refuses only for size; the contacts keep the reader's promises; the index finds
    /// them by their numbers; and cards are read one by one: a card after the input is read
    /// whole and changes nothing the input gave (an unclosed card before it is dropped).
    static func contacts(_ raw: UnsafeRawBufferPointer) {
        let bytes = Array(raw)
        guard let contacts = try? VCardReader.contacts(in: bytes, directory: "fuzz") else {
            return require(bytes.count > VCardReader.maximumBytes, "a vCard input within the size limit refused")
        }
        ContactChecks.check(contacts, directory: "fuzz", reader: "vCard")
        ContactChecks.checkIndex(contacts, reader: "vCard")
        // UTF-16 is decoded as a whole, so ASCII bytes after it are not a card.
        guard !bytes.starts(with: [0xFF, 0xFE]), !bytes.starts(with: [0xFE, 0xFF]) else { return }
        require(appendedContacts.count == 1, "the appended card alone reads as \(appendedContacts.count) contacts")
        let extended = (try? VCardReader.contacts(in: bytes + appended, directory: "fuzz")) ?? []
        require(extended == contacts + appendedContacts,
                "a card after the input changed what it gave: \(contacts.map(\.name)) became \(extended.map(\.name))")
    }
}
