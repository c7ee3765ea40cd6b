/// A qualified XML name split at its colon (`dlg:identity` → prefix `dlg`, local `identity`).
///
/// Callers compare `local`: dialog-info uses a default namespace, but some servers write
/// `<local>`/`<remote>` identity elements with a prefix bound to the same or a vendor namespace.
struct XMLName: Sendable, Hashable {
    /// The part before the colon; `nil` for an unprefixed name.
    var prefix: String? = nil
    /// The part after the colon, or the whole name.
    var local: String

    /// The name as written in the document.
    var qualified: String { prefix.map { "\($0):\(local)" } ?? local }
}

/// One attribute of a start tag, its value with references resolved and whitespace normalised.
struct XMLAttribute: Sendable, Hashable {
    /// The attribute name.
    var name: XMLName
    /// The value, as XML 1.0 section 3.3.3 defines it for CDATA attributes.
    var value: String
}

extension [XMLAttribute] {
    /// The value of the unprefixed attribute `name` (RFC 4235 attributes are all unqualified).
    func value(of name: String) -> String? {
        first { $0.name.prefix == nil && $0.name.local == name }?.value
    }
}

/// What `XMLReader` found next in a document.
enum XMLEvent: Sendable, Hashable {
    /// A start tag; a self-closing tag is reported as `start` then `end`.
    case start(XMLName, [XMLAttribute])
    /// An end tag (or the end of a self-closing tag).
    case end(XMLName)
    /// Character data or a CDATA section inside the root element, references resolved,
    /// line ends normalised to `\n`; one element's text may come in several pieces.
    case text(String)
}

/// Why `XMLReader` refused a document.
struct XMLReadError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong, safe to log (never contains document text beyond a short name).
    var reason: String
    /// The byte offset where the problem was found.
    var offset: Int

    /// A one-line explanation with the offset.
    var description: String { "\(reason) (at byte \(offset))" }
}

/// The bounds `XMLReader` enforces, so a hostile document costs little memory and time.
struct XMLLimits: Sendable, Hashable {
    /// The largest document accepted.
    var maxBytes: Int
    /// The deepest element nesting accepted.
    var maxDepth: Int
    /// The most elements accepted in one document.
    var maxElements: Int
    /// The most attributes accepted on one element.
    var maxAttributes: Int
}
