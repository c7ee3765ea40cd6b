/// Which files of a `file` directory hold contacts, and how to read them: vCard (`.vcf`,
/// `.vcard`: GNOME Contacts, Thunderbird, khard, Google and Apple exports) and CSV (`.csv`,
/// `.tsv`: Google, Outlook, Thunderbird, or `name,number`).
public enum ContactFiles {
    /// The format of a contact file.
    public enum Format: Sendable, Hashable {
        case vCard
        case csv
    }

    /// The format a file name says, or nil when it is no contact file.
    public static func format(ofName name: String) -> Format? {
        let lowered = name.lowercased()
        if lowered.hasSuffix(".vcf") || lowered.hasSuffix(".vcard") { return .vCard }
        if lowered.hasSuffix(".csv") || lowered.hasSuffix(".tsv") { return .csv }
        return nil
    }

    /// The contacts in a file's `bytes`; a file named as neither format is read as vCard when
    /// it starts like one, else as CSV.
    public static func contacts(in bytes: [UInt8], name: String, directory: String) throws(LookupError) -> [Contact] {
        let format = format(ofName: name) ?? (Self.looksLikeVCard(bytes) ? .vCard : .csv)
        switch format {
        case .vCard: return try VCardReader.contacts(in: bytes, directory: directory)
        case .csv: return try ContactCSVReader.contacts(in: bytes, directory: directory)
        }
    }

    private static func looksLikeVCard(_ bytes: [UInt8]) -> Bool {
        let head = String(decoding: TextDecoding.utf8(Array(bytes.prefix(256))), as: UTF8.self)
        return head.trimmingSpaces.uppercased().hasPrefix("BEGIN:VCARD")
    }
}
