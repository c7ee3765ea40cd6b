/// A qualified XML name split at its colon (`dlg:identity` → prefix `dlg`, local `identity`).
///
/// Callers compare `local`: dialog-info uses a default namespace, but some servers write
/// `<local>`/`<remote>` identity elements with a prefix bound to the same or a vendor namespace.
public struct XMLName: Sendable, Hashable {
    /// The part before the colon; `nil` for an unprefixed name.
    public var prefix: String?
    /// The part after the colon, or the whole name.
    public var local: String

    /// Creates a name.
    public init(prefix: String? = nil, local: String) {
        self.prefix = prefix
        self.local = local
    }

    /// The name as written in the document.
    public var qualified: String { prefix.map { "\($0):\(local)" } ?? local }
}

/// One attribute of a start tag, its value with references resolved and whitespace normalised.
public struct XMLAttribute: Sendable, Hashable {
    /// The attribute name.
    public var name: XMLName
    /// The value, as XML 1.0 section 3.3.3 defines it for CDATA attributes.
    public var value: String

    /// Creates an attribute.
    public init(name: XMLName, value: String) {
        self.name = name
        self.value = value
    }
}

extension [XMLAttribute] {
    /// The value of the unprefixed attribute `name` (RFC 4235 attributes are all unqualified).
    public func value(of name: String) -> String? {
        first { $0.name.prefix == nil && $0.name.local == name }?.value
    }
}

/// What `XMLReader` found next in a document.
public enum XMLEvent: Sendable, Hashable {
    /// A start tag; a self-closing tag is reported as `start` then `end`.
    case start(XMLName, [XMLAttribute])
    /// An end tag (or the end of a self-closing tag).
    case end(XMLName)
    /// Character data or a CDATA section inside the root element, references resolved,
    /// line ends normalised to `\n`; one element's text may come in several pieces.
    case text(String)
}

/// Why `XMLReader` refused a document.
public struct XMLReadError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong, safe to log (never contains document text beyond a short name).
    public var reason: String
    /// The byte offset where the problem was found.
    public var offset: Int

    /// Creates an error.
    public init(reason: String, offset: Int) {
        self.reason = reason
        self.offset = offset
    }

    /// A one-line explanation with the offset.
    public var description: String { "\(reason) (at byte \(offset))" }
}

/// The bounds `XMLReader` enforces, so a hostile document costs little memory and time.
public struct XMLLimits: Sendable, Hashable {
    /// The largest document accepted.
    public var maxBytes: Int
    /// The deepest element nesting accepted.
    public var maxDepth: Int
    /// The most elements accepted in one document.
    public var maxElements: Int
    /// The most attributes accepted on one element.
    public var maxAttributes: Int

    /// Creates limits.
    public init(maxBytes: Int, maxDepth: Int, maxElements: Int, maxAttributes: Int) {
        self.maxBytes = maxBytes
        self.maxDepth = maxDepth
        self.maxElements = maxElements
        self.maxAttributes = maxAttributes
    }
}
