import CallPopLookup
import CallPopXML

/// WebDAV multistatus answers: a CardDAV server (or whoever answers in its name) is not trusted.
enum CardDAVFuzz {
    /// A body parses or is refused; what it gives is trimmed where the reader trims, and status
    /// codes are three digits; written back in the canonical form (one propstat with what was
    /// merged) it parses to the same value. A sync round on it keeps the token back exactly
    /// when a change was not delivered, asks again for what was missing, and its contacts keep
    /// the vCard reader's promises.
    static func multistatus(_ raw: UnsafeRawBufferPointer) {
        guard let parsed = try? DAVMultistatus(parsing: Array(raw)) else { return }
        let trimmed: [String?] = [parsed.syncToken] + parsed.responses.flatMap { response -> [String?] in
            [response.href, response.etag, response.displayName, response.principal, response.addressBookHome, response.syncToken]
        }
        for value in trimmed.compactMap({ $0 }) {
            require(ContactChecks.isTrimmed(value), "an untrimmed value: \(value.debugDescription)")
        }
        for response in parsed.responses {
            require(!response.href.isEmpty, "a response without an href")
            require(response.status.map { (0...999).contains($0) } ?? true, "status \(response.status ?? 0) is no three-digit code")
        }
        let written = canonical(parsed)
        do {
            let reparsed = try DAVMultistatus(parsing: written)
            require(reparsed == parsed, "the canonical form reads back differently: \(String(decoding: written, as: UTF8.self).debugDescription)")
        } catch {
            require(false, "the canonical form does not parse (\(error)): \(String(decoding: written, as: UTF8.self).debugDescription)")
        }
        sync(parsed)
    }

    /// One sync round with `response` as both the `sync-collection` and the multiget answer.
    static func sync(_ response: DAVMultistatus) {
        var book = CardDAVAddressBook(directory: "fuzz", collectionPath: "/anna/contacts/")
        let changes = book.changes(fromSync: response)
        let missing = book.apply(changes, fetched: response)
        let token = missing.isEmpty && !changes.truncated ? changes.newToken : nil
        require(book.syncToken == token, "sync token \(book.syncToken.debugDescription), expected \(token.debugDescription)")
        let retry = book.changes(fromSync: response)
        for href in missing {
            require(retry.fetch.contains(href), "\(href.debugDescription) was missing but is not asked for again")
        }
        ContactChecks.check(book.contacts, directory: "fuzz", reader: "CardDAV")
    }

    /// `value` as a multistatus document with every property in one successful propstat.
    static func canonical(_ value: DAVMultistatus) -> [UInt8] {
        func element(_ name: String, _ text: String?) -> String {
            text.map { "<d:\(name)>\(XMLEscaping.text($0))</d:\(name)>" } ?? ""
        }
        var text = #"<d:multistatus xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:carddav">"#
        for response in value.responses {
            text += "<d:response>" + element("href", response.href)
            // Three digits, as the reader wants them (a code of 7 was written 007).
            if let status = response.status { text += "<d:status>HTTP/1.1 \(status < 0 ? String(status) : String(String(1000 + status).dropFirst())) X</d:status>" }
            var types = response.isAddressBook ? "<c:addressbook/>" : ""
            if response.isCollection { types += "<d:collection/>" }
            var properties = element("getetag", response.etag) + element("displayname", response.displayName) + element("sync-token", response.syncToken)
            if let data = response.addressData { properties += "<c:address-data>\(XMLEscaping.text(data))</c:address-data>" }
            if !types.isEmpty { properties += "<d:resourcetype>\(types)</d:resourcetype>" }
            if let principal = response.principal { properties += "<d:current-user-principal>\(element("href", principal))</d:current-user-principal>" }
            if let home = response.addressBookHome { properties += "<c:addressbook-home-set>\(element("href", home))</c:addressbook-home-set>" }
            if response.supportsSyncCollection {
                properties += "<d:supported-report-set><d:supported-report><d:report><d:sync-collection/></d:report></d:supported-report></d:supported-report-set>"
            }
            if !properties.isEmpty { text += "<d:propstat><d:prop>\(properties)</d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat>" }
            text += "</d:response>"
        }
        text += element("sync-token", value.syncToken) + "</d:multistatus>"
        return Array(text.utf8)
    }
}
