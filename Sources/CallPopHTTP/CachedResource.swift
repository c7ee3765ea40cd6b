import CallPopCore
public import CallPopPlatform

/// A document fetched now and then with conditional requests, its last good copy kept on
/// disk (mode 600) so a start without network still has it: a colleague directory,
/// provisioned rules, later contact directories.
///
/// The caller decides what "good" is: `fetch` hands over a new body without storing it, and
/// only `store` — called once the body has been checked — replaces the copy on disk, so a
/// broken answer never replaces a good one.
public struct CachedResource: Sendable {
    /// The last good copy, with the validators that came with it.
    public struct Copy: Sendable, Hashable {
        /// The body.
        public var body: [UInt8]
        /// The `ETag` it came with.
        public var etag: String?
        /// The `Last-Modified` it came with.
        public var lastModified: String?
    }

    /// What one fetch found.
    public enum Fetched: Sendable {
        /// A new body (status 200): check it, then `store` it.
        case new(Copy)
        /// `304 Not Modified`: the copy on disk is current.
        case notModified
        /// No usable answer: why (a network error, an unexpected status).
        case failed(String)
    }

    /// The request, without validators (they are added per fetch).
    public let request: HTTPRequest
    /// The file of the body; its validators live next to it in `…meta`.
    public let path: String

    /// A resource fetched with `request` and kept at `path`.
    public init(request: HTTPRequest, path: String) {
        self.request = request
        self.path = path
    }

    /// The copy on disk, when there is one for this URL.
    public func cached() -> Copy? {
        guard let body = try? PrivateFiles.read(path, limit: 8 << 20),
              let meta = try? PrivateFiles.read(path + ".meta", limit: 64 * 1024)
        else { return nil }
        let fields = String(decoding: meta, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        // A copy fetched from another URL (the configuration changed) is not this resource's.
        guard fields.count >= 3, fields[0] == request.url else { return nil }
        return Copy(body: body, etag: fields[1].isEmpty ? nil : fields[1], lastModified: fields[2].isEmpty ? nil : fields[2])
    }

    /// Fetches the document, conditionally when `current` has validators.
    public func fetch(with client: HTTPClient, current: Copy?) async -> Fetched {
        var conditional = request
        if let etag = current?.etag { conditional.headers.append(HTTPHeader("If-None-Match", etag)) }
        if let modified = current?.lastModified { conditional.headers.append(HTTPHeader("If-Modified-Since", modified)) }
        let response: HTTPResponse
        do {
            response = try await client.send(conditional)
        } catch {
            return .failed(error.message)
        }
        if response.status == 304, current != nil { return .notModified }
        guard response.status == 200 else { return .failed("\(request.host) answered \(response.status)") }
        return .new(Copy(body: response.body, etag: Self.validator(response.header("ETag")), lastModified: Self.validator(response.header("Last-Modified"))))
    }

    /// Keeps `copy` as the last good one.
    public func store(_ copy: Copy) throws(PlatformError) {
        let directory = String(path[..<(path.lastIndex(of: "/") ?? path.startIndex)])
        if !directory.isEmpty { try PrivateFiles.makeDirectory(directory) }
        try PrivateFiles.write(copy.body, to: path)
        let meta = [request.url, copy.etag ?? "", copy.lastModified ?? ""].joined(separator: "\n")
        try PrivateFiles.write(Array(meta.utf8), to: path + ".meta")
    }

    /// A validator worth sending back: one line of printable text.
    private static func validator(_ value: String?) -> String? {
        guard let value, !value.isEmpty, value.utf8.count <= 512, HTTPHeader.isValidValue(value) else { return nil }
        return value
    }
}
