internal import CallPopCore

/// Reads contacts from CSV exports: Google Contacts (both its current and its older header
/// set), Outlook, Thunderbird, and a simple `name,number[,organisation[,url]]` file with or
/// without a header. Columns are recognised by their header names; every phone column is read,
/// fax and pager columns are not (a call does not come from them).
public enum ContactCSVReader {
    /// The largest input accepted.
    public static let maximumBytes = 64 * 1024 * 1024
    /// The most contacts read from one file.
    public static let maximumContacts = 200_000

    /// The contacts in `bytes`, each marked as coming from `directory`.
    public static func contacts(in bytes: [UInt8], directory: String) throws(LookupError) -> [Contact] {
        guard bytes.count <= maximumBytes else {
            throw LookupError(.tooLarge(limit: maximumBytes), "CSV data of \(bytes.count) bytes is over the \(maximumBytes)-byte limit")
        }
        let text = TextDecoding.utf8(bytes)
        var records = CSVRecords(text, delimiter: CSVRecords.detectDelimiter(text))
        guard let first = records.next() else { return [] }
        let columns: CSVColumns
        var pending: [String]?
        if let recognised = CSVColumns(header: first) {
            columns = recognised
        } else if first.count >= 2, PhoneNumberText.canonical(first[1]) != nil {
            columns = .headerless
            pending = first
        } else {
            return []
        }
        var contacts: [Contact] = []
        while contacts.count < maximumContacts, let record = pending ?? records.next() {
            pending = nil
            if let contact = columns.contact(record, directory: directory) { contacts.append(contact) }
        }
        return contacts
    }
}

/// Which columns of a CSV file hold what.
struct CSVColumns {
    var name: Int?
    var given: Int?
    var middle: Int?
    var family: Int?
    var organisation: Int?
    var url: Int?
    var id: Int?
    var note: Int?
    /// Phone columns with the kind their header names and, for Google, the column of its label.
    var phones: [(column: Int, kind: String, labelColumn: Int?)] = []

    /// `name,number,organisation,url` without a header line.
    static let headerless = CSVColumns(name: 0, organisation: 2, url: 3, phones: [(1, "", nil)])

    /// Recognises a header line; `nil` when it names neither a name nor a phone column.
    init?(header: [String]) {
        let names = header.map { $0.trimmingSpaces.lowercased() }
        func first(_ candidates: [String]) -> Int? {
            candidates.lazy.compactMap { names.firstIndex(of: $0) }.first
        }
        name = first(["display name", "name", "full name", "fn", "contact"])
        given = first(["first name", "given name"])
        middle = first(["middle name", "additional name"])
        family = first(["last name", "family name", "surname"])
        organisation = first(["organization name", "organization", "organisation", "company", "organization 1 - name", "org", "firma"])
        url = first(["website 1 - value", "web page", "web page 1", "website", "url", "homepage"])
        id = first(["id", "uid"])
        note = first(["notes", "note"])
        for (index, column) in names.enumerated() where Self.isPhoneColumn(column) {
            // Google: "Phone 1 - Value" with its kind in "Phone 1 - Label" (older: "- Type").
            let prefix = column.hasSuffix(" - value") ? String(column.dropLast("value".count)) : nil
            let labelColumn = prefix.flatMap { prefix in names.firstIndex(of: prefix + "label") ?? names.firstIndex(of: prefix + "type") }
            phones.append((index, Self.kind(of: column), labelColumn))
        }
        guard name != nil || given != nil || family != nil || !phones.isEmpty else { return nil }
    }

    private init(name: Int?, organisation: Int?, url: Int?, phones: [(column: Int, kind: String, labelColumn: Int?)]) {
        self.name = name
        self.organisation = organisation
        self.url = url
        self.phones = phones
    }

    private static func isPhoneColumn(_ name: String) -> Bool {
        // Stems, so German Outlook's "Mobiltelefon" and "Telefon geschäftlich" count too.
        if ["fax", "pager", "telex", "label", "type", "mail"].contains(where: { name.contains($0) }) { return false }
        if ["phone", "mobil", "telefon", "handy", "cell", "number", "nummer", "isdn", "callback"].contains(where: { name.contains($0) }) { return true }
        return name.split { !$0.isLetter }.contains { $0 == "tel" }
    }

    private static func kind(of column: String) -> String {
        if column.contains("mobil") || column.contains("cell") || column.contains("handy") { return "cell" }
        if column.contains("home") || column.contains("privat") { return "home" }
        if ["business", "work", "company", "geschäft"].contains(where: { column.contains($0) }) { return "work" }
        return ""
    }

    /// The contact in `record`; `nil` when it has neither a name nor a number.
    func contact(_ record: [String], directory: String) -> Contact? {
        func field(_ index: Int?) -> String {
            guard let index, index < record.count else { return "" }
            return record[index].trimmingSpaces
        }
        var numbers: [ContactNumber] = []
        for phone in phones {
            let label = ContactText.text(field(phone.labelColumn).lowercased().replacing("* ", with: ""))
            let kinds = [phone.kind, label].filter { !$0.isEmpty }
            for text in Self.googleNumbers(field(phone.column)).map(ContactText.text) where !text.isEmpty {
                if numbers.count < VCardReader.maximumNumbersPerContact { numbers.append(ContactNumber(text, kinds: kinds)) }
            }
        }
        // Cleaned before the fallbacks, so a name of nothing but control characters is no name.
        let organisation = ContactText.text(field(organisation))
        var name = ContactText.text(field(name))
        if name.isEmpty { name = ContactText.text([field(given), field(middle), field(family)].map(ContactText.text).filter { !$0.isEmpty }.joined(separator: " ")) }
        if name.isEmpty { name = organisation }
        guard !name.isEmpty || !numbers.isEmpty else { return nil }
        return Contact(
            name: name, organisation: organisation, url: ContactText.url(field(url)),
            id: ContactText.text(field(id)), directory: directory, numbers: numbers, note: ContactText.text(field(note)))
    }

    /// Google puts several numbers of one label in one field, separated by ` ::: `; the
    /// separator is found in bytes, so a combining mark after its last colon cannot hide it,
    /// and after the characters every value loses are gone, so none is formed by their
    /// removal (`::\0:` was a number `:::`; found by the `csv` fuzz target).
    private static func googleNumbers(_ field: String) -> [String] {
        let bytes = Array(String(String.UnicodeScalarView(field.unicodeScalars.filter { !UntrustedText.isRemoved($0) })).utf8)
        var numbers: [String] = []
        var start = 0
        while let separator = bytes[start...].firstRange(of: Array(":::".utf8)) {
            numbers.append(String(decoding: bytes[start..<separator.lowerBound], as: UTF8.self))
            start = separator.upperBound
        }
        numbers.append(String(decoding: bytes[start...], as: UTF8.self))
        return numbers
    }
}
