internal import CallPopXML

/// A WebDAV/CardDAV request for the HTTP layer to send: method, `Depth` header and XML body.
/// Building them is pure; sending them (with authentication) is the HTTP layer's business.
public struct CardDAVRequest: Sendable, Hashable {
    /// `PROPFIND` or `REPORT`.
    public var method: String
    /// The `Depth` header's value.
    public var depth: String
    /// The request body (`application/xml; charset=utf-8`).
    public var body: String
    /// The content type of `body`.
    public static let contentType = "application/xml; charset=utf-8"

    /// Depth 0 on the address book URL: is it an address book, its name, its sync token and
    /// whether it offers `sync-collection`.
    public static let addressBookProperties = CardDAVRequest(method: "PROPFIND", depth: "0", body: """
        <?xml version="1.0" encoding="utf-8"?>
        <d:propfind xmlns:d="DAV:" xmlns:cs="http://calendarserver.org/ns/">
          <d:prop><d:resourcetype/><d:displayname/><d:sync-token/><cs:getctag/><d:supported-report-set/></d:prop>
        </d:propfind>
        """)

    /// Depth 1 on the address book: every member's ETag, for servers without `sync-collection`.
    public static let memberETags = CardDAVRequest(method: "PROPFIND", depth: "1", body: """
        <?xml version="1.0" encoding="utf-8"?>
        <d:propfind xmlns:d="DAV:"><d:prop><d:resourcetype/><d:getetag/></d:prop></d:propfind>
        """)

    /// Depth 0 on the server's root or well-known URL (`/.well-known/carddav`): the user's principal.
    public static let currentUserPrincipal = CardDAVRequest(method: "PROPFIND", depth: "0", body: """
        <?xml version="1.0" encoding="utf-8"?>
        <d:propfind xmlns:d="DAV:"><d:prop><d:current-user-principal/></d:prop></d:propfind>
        """)

    /// Depth 0 on the principal: where its address books live.
    public static let addressBookHomeSet = CardDAVRequest(method: "PROPFIND", depth: "0", body: """
        <?xml version="1.0" encoding="utf-8"?>
        <d:propfind xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:carddav"><d:prop><c:addressbook-home-set/></d:prop></d:propfind>
        """)

    /// RFC 6578 `sync-collection` on the address book: what changed since `token` (everything
    /// when `nil`), with ETags; the RFC requires `Depth: 0`.
    public static func syncCollection(since token: String?) -> CardDAVRequest {
        let tokenElement = token.map { "<d:sync-token>\(XMLEscaping.text($0))</d:sync-token>" } ?? "<d:sync-token/>"
        return CardDAVRequest(method: "REPORT", depth: "0", body: """
            <?xml version="1.0" encoding="utf-8"?>
            <d:sync-collection xmlns:d="DAV:">\(tokenElement)<d:sync-level>1</d:sync-level><d:prop><d:getetag/></d:prop></d:sync-collection>
            """)
    }

    /// RFC 6352 `addressbook-multiget` on the address book: the vCards at `hrefs` (as the
    /// server wrote them) with their ETags.
    public static func addressBookMultiget(_ hrefs: [String]) -> CardDAVRequest {
        let list = hrefs.map { "<d:href>\(XMLEscaping.text($0))</d:href>" }.joined()
        return CardDAVRequest(method: "REPORT", depth: "1", body: """
            <?xml version="1.0" encoding="utf-8"?>
            <c:addressbook-multiget xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:carddav">\
            <d:prop><d:getetag/><c:address-data/></d:prop>\(list)</c:addressbook-multiget>
            """)
    }
}
