import CallPopLookup

/// CSV exports (Google, Outlook, Thunderbird, `name,number`): whoever made the file is not trusted.
enum CSVFuzz {
    /// Reads or refuses only for size; the contacts keep the readers' promises, and hold no
    /// Google `:::` separator in a number; the index finds them by their numbers; and they
    /// read back the same when written as a CSV file of the documented columns (every field
    /// quoted, the numbers joined by Google's ` ::: `).
    static func contacts(_ raw: UnsafeRawBufferPointer) {
        let bytes = Array(raw)
        guard let contacts = try? ContactCSVReader.contacts(in: bytes, directory: "fuzz") else {
            return require(bytes.count > ContactCSVReader.maximumBytes, "a CSV input within the size limit refused")
        }
        ContactChecks.check(contacts, directory: "fuzz", reader: "CSV")
        for contact in contacts {
            for number in contact.numbers {
                require(number.text.utf8.firstRange(of: ":::".utf8) == nil, "Google's ':::' separator left in a number: \(number.text.debugDescription)")
            }
        }
        ContactChecks.checkIndex(contacts, reader: "CSV")
        guard !contacts.isEmpty else { return }
        let written = csv(contacts)
        let reread = (try? ContactCSVReader.contacts(in: written, directory: "fuzz")) ?? []
        require(reread.map(fields) == contacts.map(fields),
                "contacts written as CSV read back differently: \(contacts.map(fields)) became \(reread.map(fields))")
    }

    /// What a contact keeps through a CSV file of the documented columns (the kinds come from
    /// column names and labels, so they do not).
    static func fields(_ contact: Contact) -> [String] {
        [contact.name, contact.organisation, contact.url, contact.id, contact.note] + contact.numbers.map(\.text)
    }

    /// `contacts` as RFC 4180 CSV: a header the reader recognises, every field quoted.
    static func csv(_ contacts: [Contact]) -> [UInt8] {
        // By scalars: a quote followed by a combining mark is one `Character`, not `"`.
        func quoted(_ field: String) -> String {
            var text = String.UnicodeScalarView()
            for scalar in field.unicodeScalars {
                if scalar == "\"" { text.append(scalar) }
                text.append(scalar)
            }
            return "\"" + String(text) + "\""
        }
        var text = "name,organization,url,id,notes,phone\r\n"
        for contact in contacts {
            let phone = contact.numbers.map(\.text).joined(separator: " ::: ")
            text += [contact.name, contact.organisation, contact.url, contact.id, contact.note, phone].map(quoted).joined(separator: ",") + "\r\n"
        }
        return Array(text.utf8)
    }
}
