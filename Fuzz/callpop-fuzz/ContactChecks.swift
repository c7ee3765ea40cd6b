import CallPopCore
import CallPopLookup

/// What every contact reader promises of what it makes (`Contact`: the text is kept as read,
/// with the characters the caller-ID policy removes taken out), checked the same way for the
/// vCard, CSV, CardDAV and CRM readers.
enum ContactChecks {
    /// A plan with a country code, so numbers get an E.164 form and the index files them both ways.
    static let matcher = NumberMatcher(plan: NumberPlan(countryCode: "49"))

    /// Every field is clean; a URL is kept whole or dropped; numbers are trimmed, clean and
    /// bounded; a contact has a name or a number (a reader drops one with neither).
    static func check(_ contacts: [Contact], directory: String, reader: String) {
        for contact in contacts {
            require(contact.directory == directory, "\(reader): a contact from directory \(contact.directory.debugDescription)")
            require(!contact.name.isEmpty || !contact.numbers.isEmpty, "\(reader): a contact with neither a name nor a number")
            for (field, text) in [("name", contact.name), ("organisation", contact.organisation), ("id", contact.id), ("note", contact.note), ("url", contact.url)] {
                require(isClean(text), "\(reader): a removed character in the \(field): \(text.debugDescription)")
            }
            require(contact.url.isEmpty || (isTrimmed(contact.url) && contact.url.utf8.count <= 2048), "\(reader): a URL kept untrimmed or too long: \(contact.url.debugDescription)")
            require(contact.numbers.count <= VCardReader.maximumNumbersPerContact, "\(reader): \(contact.numbers.count) numbers in one contact")
            for number in contact.numbers {
                require(!number.text.isEmpty && isTrimmed(number.text), "\(reader): a number empty or not trimmed: \(number.text.debugDescription)")
                require(isClean(number.text), "\(reader): a removed character in a number: \(number.text.debugDescription)")
                for kind in number.kinds {
                    require(isClean(kind), "\(reader): a removed character in a number's kind: \(kind.debugDescription)")
                }
            }
        }
    }

    /// The index finds every contact by each of its numbers that is a phone number at all:
    /// the hostile numbers go through the same normalisation when filed and when looked up.
    static func checkIndex(_ contacts: [Contact], reader: String) {
        let index = ContactIndex(contacts, matcher: matcher)
        for contact in contacts {
            for number in contact.numbers where matcher.number(number.text) != nil {
                require(index.lookup(number.text).contains(contact), "\(reader): the index does not find a contact by its number \(number.text.debugDescription)")
            }
        }
    }

    /// Without the scalars `UntrustedText` removes for every destination (controls, bidi, zero-width).
    static func isClean(_ text: String) -> Bool {
        !text.unicodeScalars.contains(where: UntrustedText.isRemoved)
    }

    /// Without a space, tab or line end at either end, judged by scalars (a line end followed
    /// by a combining mark is one `Character`, but still a line end).
    static func isTrimmed(_ text: String) -> Bool {
        let isSpace = { (scalar: Unicode.Scalar) in scalar == " " || scalar == "\t" || scalar == "\n" || scalar == "\r" }
        guard let first = text.unicodeScalars.first, let last = text.unicodeScalars.last else { return true }
        return !isSpace(first) && !isSpace(last)
    }
}
