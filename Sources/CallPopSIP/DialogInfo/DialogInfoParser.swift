import CallPopXML

/// Parses `application/dialog-info+xml` bodies (RFC 4235 section 4) from untrusted bytes.
///
/// Reads them with `XMLReader`, a strict reader written for this job (see there why not
/// Foundation's `XMLParser`/libxml2): UTF-8 only, no DTD so no entity attacks, size,
/// nesting and element count capped, truncated documents refused. Elements are matched by
/// local name, so a server that prefixes its elements is understood. Unknown elements and
/// extensions are ignored.
public enum DialogInfoParser {
    /// The largest body accepted.
    public static let maxBytes = 256 * 1024
    /// The deepest element nesting accepted (dialog-info needs 4).
    public static let maxDepth = 32
    /// The most dialogs accepted in one document.
    public static let maxDialogs = 256
    /// The bounds given to the reader; 64 elements per dialog is far above what servers send.
    static let limits = XMLLimits(maxBytes: maxBytes, maxDepth: maxDepth, maxElements: 64 * maxDialogs, maxAttributes: 64)

    /// Parses a document.
    public static func parse(_ bytes: [UInt8]) throws(SIPError) -> DialogInfo {
        var builder = DialogInfoBuilder()
        var reader: XMLReader
        do { reader = try XMLReader(bytes, limits: limits) } catch { throw SIPError(.malformedDialogInfo, error.description) }
        while let event = try next(&reader) {
            switch event {
            case .start(let name, let attributes): try builder.start(name.local, attributes)
            case .text(let text): builder.characters(text)
            case .end(let name): builder.end(name.local)
            }
        }
        // The reader has checked the root is closed; a wrong root was refused at its start.
        guard let info = builder.result else { throw SIPError(.malformedDialogInfo, "no complete <dialog-info> root element") }
        return info
    }

    private static func next(_ reader: inout XMLReader) throws(SIPError) -> XMLEvent? {
        do { return try reader.next() } catch { throw SIPError(.malformedDialogInfo, error.description) }
    }
}
