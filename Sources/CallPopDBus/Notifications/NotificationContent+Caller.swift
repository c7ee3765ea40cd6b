/// Who calls, as the notification body says it.
extension NotificationContent {
    /// The body's first lines. Without a contact: the PBX's name (bold) and the number. With
    /// one from caller lookup: the contact's name (bold), its organisation, and the number,
    /// followed by the PBX's name when it says something else (a switchboard's label, a
    /// company name, a stale entry) — the user sees both and can tell which is which.
    /// `name` and `number` are the PBX's, already cleaned.
    static func callerLines(_ notice: CallNotice, name: String, number: String, markup: Bool) -> [String] {
        func plain(_ text: String) -> String { markup ? NotificationText.escapeMarkup(text) : text }
        func bold(_ text: String) -> String { markup ? "<b>\(NotificationText.escapeMarkup(text))</b>" : text }
        let contact = NotificationText.clean(notice.contactName)
        guard !contact.isEmpty else {
            if name.isEmpty, number.isEmpty { return ["Unknown caller"] }
            return (name.isEmpty ? [] : [bold(name)]) + (number.isEmpty ? [] : [plain(number)])
        }
        let organisation = NotificationText.clean(notice.contactOrganisation)
        var lines = [bold(contact)]
        if !organisation.isEmpty { lines.append(plain(organisation)) }
        var last = number
        let pbxSaysOther = !name.isEmpty && ![contact, organisation].contains { $0.lowercased() == name.lowercased() }
        if pbxSaysOther { last += (last.isEmpty ? "" : " · ") + "PBX: " + name }
        if !last.isEmpty { lines.append(plain(last)) }
        return lines
    }
}
