internal import CallPopXML

/// A WebDAV `207 Multi-Status` response body (RFC 4918 13, RFC 6578, RFC 6352) reduced to what
/// CardDAV needs. Elements are matched by local name, as servers differ in prefixes.
public struct DAVMultistatus: Sendable, Hashable {
    /// One `<response>`.
    public struct Response: Sendable, Hashable {
        /// The resource, as the server wrote it (a path or a full URL, percent-encoded).
        public var href: String
        /// The response-level status (`404` for a member deleted since the sync token, `507`
        /// for a truncated sync); `nil` when the response carries properties instead.
        public var status: Int?
        /// `getetag`, from a propstat with a 2xx status.
        public var etag: String?
        /// `address-data`: the vCard text.
        public var addressData: String?
        /// Whether `resourcetype` holds `addressbook`.
        public var isAddressBook = false
        /// Whether `resourcetype` holds `collection`.
        public var isCollection = false
        /// `displayname`.
        public var displayName: String?
        /// The href inside `current-user-principal`.
        public var principal: String?
        /// The href inside `addressbook-home-set`.
        public var addressBookHome: String?
        /// A `sync-token` property (PROPFIND on the address book).
        public var syncToken: String?
        /// Whether `supported-report-set` lists `sync-collection`.
        public var supportsSyncCollection = false
    }

    /// The responses, in document order.
    public var responses: [Response] = []
    /// The top-level `sync-token` of a `sync-collection` report.
    public var syncToken: String?

    /// The bounds for responses: thousands of contacts with their vCards.
    static let limits = XMLLimits(maxBytes: 32 * 1024 * 1024, maxDepth: 32, maxElements: 2_000_000, maxAttributes: 64)

    /// Parses a multistatus body.
    public init(parsing bytes: [UInt8]) throws(LookupError) {
        var reader: XMLReader
        do { reader = try XMLReader(bytes, limits: Self.limits) } catch { throw Self.failure(error) }
        var path: [String] = []
        var text = ""
        var response: Response?
        var propstat = Response(href: "")
        var propstatStatus: Int?
        while true {
            let event: XMLEvent?
            do { event = try reader.next() } catch { throw Self.failure(error) }
            guard let event else { break }
            switch event {
            case .start(let name, _):
                if path.isEmpty, name.local != "multistatus" {
                    throw LookupError(.malformedXML, "not a WebDAV multistatus response (root element <\(name.local.prefix(40))>)")
                }
                path.append(name.local)
                text = ""
                if path == ["multistatus", "response"] { response = Response(href: "") }
                if path == ["multistatus", "response", "propstat"] { propstat = Response(href: ""); propstatStatus = nil }
                let inProperty = path.count >= 5 && Array(path[1...3]) == ["response", "propstat", "prop"]
                if inProperty, path.count == 6, path[4] == "resourcetype" {
                    if name.local == "addressbook" { propstat.isAddressBook = true }
                    if name.local == "collection" { propstat.isCollection = true }
                }
                if inProperty, path.count >= 6, path[4] == "supported-report-set", name.local == "sync-collection" {
                    propstat.supportsSyncCollection = true
                }
            case .text(let piece):
                // Bounded by the reader's document limit; only leaf text is kept.
                text += piece
            case .end:
                let value = text.trimmingSpaces
                switch Array(path.dropFirst()) {
                case ["sync-token"]: syncToken = value
                case ["response", "href"]: response?.href = value
                case ["response", "status"]: response?.status = Self.statusCode(value)
                case ["response", "propstat", "status"]: propstatStatus = Self.statusCode(value)
                case ["response", "propstat", "prop", "getetag"]: propstat.etag = value
                case ["response", "propstat", "prop", "address-data"]: propstat.addressData = text
                case ["response", "propstat", "prop", "displayname"]: propstat.displayName = value
                case ["response", "propstat", "prop", "sync-token"]: propstat.syncToken = value
                case ["response", "propstat", "prop", "current-user-principal", "href"]: propstat.principal = value
                case ["response", "propstat", "prop", "addressbook-home-set", "href"]: propstat.addressBookHome = value
                case ["response", "propstat"]:
                    if let code = propstatStatus, (200..<300).contains(code) { response?.merge(propstat) }
                case ["response"]:
                    if let finished = response, !finished.href.isEmpty { responses.append(finished) }
                    response = nil
                default: break
                }
                path.removeLast()
                text = ""
            }
        }
    }

    /// The code of an HTTP status line (`HTTP/1.1 404 Not Found` → 404): three digits after
    /// the first space. Split by scalars, so a combining mark after the space before the reason
    /// does not hide it; digits only, so `-12` is no code.
    private static func statusCode(_ line: String) -> Int? {
        let parts = line.unicodeScalars.split(separator: " ").map(Substring.init)
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/"), parts[1].utf8.count == 3,
              parts[1].utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else { return nil }
        return Int(parts[1])
    }

    private static func failure(_ error: XMLReadError) -> LookupError {
        LookupError(.malformedXML, "malformed WebDAV response: \(error.description)")
    }
}

extension DAVMultistatus.Response {
    /// Takes the properties found in one successful propstat.
    fileprivate mutating func merge(_ other: Self) {
        etag = other.etag ?? etag
        addressData = other.addressData ?? addressData
        isAddressBook = isAddressBook || other.isAddressBook
        isCollection = isCollection || other.isCollection
        displayName = other.displayName ?? displayName
        principal = other.principal ?? principal
        addressBookHome = other.addressBookHome ?? addressBookHome
        syncToken = other.syncToken ?? syncToken
        supportsSyncCollection = supportsSyncCollection || other.supportsSyncCollection
    }
}
