import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// Why a dialog-info body was rejected.
public struct DialogInfoParseError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong, safe to log.
    public var reason: String

    /// Creates an error.
    public init(_ reason: String) { self.reason = reason }

    /// A one-line explanation.
    public var description: String { "malformed dialog-info document: \(reason)" }
}

/// Parses `application/dialog-info+xml` bodies (RFC 4235 section 4) from untrusted bytes.
///
/// Uses Foundation's `XMLParser` (libxml2 underneath, a well-kept parser that handles
/// encodings, CDATA and character references correctly), fenced in because the body
/// comes from the network: documents with a DTD are refused before parsing (dialog-info
/// never needs one, and a DTD is the door for entity-expansion and external-entity
/// attacks), external entities are never resolved, the size is capped, and element
/// nesting is capped while parsing, and only valid UTF-8 is handed to it (its Linux
/// build traps on invalid UTF-8 in attribute values; a 200,000-document fuzz run of the
/// guarded parser found nothing else). Unknown elements and extensions are ignored.
public enum DialogInfoParser {
    /// The largest body accepted.
    public static let maxBytes = 256 * 1024
    /// The deepest element nesting accepted (dialog-info needs 4).
    public static let maxDepth = 32
    /// The most dialogs accepted in one document.
    public static let maxDialogs = 256

    /// Parses a document.
    public static func parse(_ bytes: [UInt8]) throws(DialogInfoParseError) -> DialogInfo {
        guard bytes.count <= maxBytes else { throw DialogInfoParseError("body of \(bytes.count) bytes is over the \(maxBytes)-byte limit") }
        // swift-corelibs-foundation's XMLParser traps on invalid UTF-8 in attribute values
        // (found by the fuzz test): only valid UTF-8 reaches it.
        guard String(validating: bytes, as: UTF8.self) != nil else { throw DialogInfoParseError("body is not valid UTF-8") }
        guard !containsCaseInsensitive(bytes, "<!doctype"), !containsCaseInsensitive(bytes, "<!entity") else {
            throw DialogInfoParseError("documents with a DTD or entity declarations are refused")
        }
        let parser = XMLParser(data: Data(bytes))
        parser.shouldResolveExternalEntities = false
        parser.shouldProcessNamespaces = true
        let collector = Collector()
        parser.delegate = collector
        let ok = parser.parse()
        if let failure = collector.failure { throw DialogInfoParseError(failure) }
        guard ok else { throw DialogInfoParseError("not well-formed XML (\(parser.parserError.map { "\($0.localizedDescription)" } ?? "unknown error"))") }
        // XMLParser reports success for a document cut short: require the closed root.
        guard let info = collector.result, collector.rootClosed else { throw DialogInfoParseError("no complete <dialog-info> root element") }
        return info
    }

    private static func containsCaseInsensitive(_ bytes: [UInt8], _ needle: String) -> Bool {
        let pattern = Array(needle.utf8)
        guard bytes.count >= pattern.count else { return false }
        outer: for start in 0...(bytes.count - pattern.count) {
            for offset in 0..<pattern.count {
                var byte = bytes[start + offset]
                if byte >= 65 && byte <= 90 { byte += 32 }
                if byte != pattern[offset] { continue outer }
            }
            return true
        }
        return false
    }

    /// Collects the document while `XMLParser` walks it; used from one thread, then dropped.
    private final class Collector: NSObject, XMLParserDelegate {
        var result: DialogInfo?
        var failure: String?
        var rootClosed = false
        private var path: [String] = []
        private var dialog: DialogInfo.Dialog?
        private var text = ""
        private var identityDisplay: String?

        func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                    qualifiedName qName: String?, attributes: [String: String] = [:]) {
            path.append(elementName)
            text = ""
            guard path.count <= DialogInfoParser.maxDepth else { return abort(parser, "elements nested deeper than \(DialogInfoParser.maxDepth)") }
            switch (path.count, elementName) {
            case (1, "dialog-info"):
                guard let versionText = attributes["version"], let version = UInt64(versionText) else {
                    return abort(parser, "<dialog-info> without a numeric version")
                }
                let completeness = DialogInfo.Completeness(rawValue: attributes["state"]?.lowercased() ?? "") ?? .full
                result = DialogInfo(version: version, completeness: completeness, entity: attributes["entity"] ?? "", dialogs: [])
            case (1, _):
                abort(parser, "root element is <\(SIPText.stripControls(String(elementName.prefix(40))))>, not <dialog-info>")
            case (2, "dialog"):
                guard let id = attributes["id"], !id.isEmpty else { return abort(parser, "<dialog> without an id") }
                guard (result?.dialogs.count ?? 0) < DialogInfoParser.maxDialogs else { return abort(parser, "more than \(DialogInfoParser.maxDialogs) dialogs") }
                dialog = DialogInfo.Dialog(
                    id: id, callID: attributes["call-id"], localTag: attributes["local-tag"], remoteTag: attributes["remote-tag"],
                    direction: attributes["direction"].flatMap { DialogInfo.Direction(rawValue: $0.lowercased()) })
            case (3, "state"):
                dialog?.stateEvent = attributes["event"]?.lowercased()
                dialog?.stateCode = attributes["code"].flatMap { Int($0) }
            case (4, "identity"):
                identityDisplay = attributes["display"].map(SIPText.stripControls)
            case (4, "target"):
                updateParticipant { $0.target = attributes["uri"].map { SIPText.trim($0) } }
            default:
                break
            }
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            guard text.utf8.count < 4096 else { return }
            text += string
        }

        func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?) {
            switch (path.count, elementName) {
            case (1, "dialog-info"):
                rootClosed = true
            case (2, "dialog"):
                if let dialog { result?.dialogs.append(dialog) }
                dialog = nil
            case (3, "state"):
                dialog?.state = DialogInfo.State(text: text)
            case (4, "identity"):
                let identity = SIPText.trim(text.filter { !$0.isNewline })
                let display = identityDisplay.flatMap { $0.isEmpty ? nil : $0 }
                updateParticipant {
                    $0.identity = identity.isEmpty ? nil : identity
                    $0.display = display
                }
                identityDisplay = nil
            default:
                break
            }
            path.removeLast()
            text = ""
        }

        private func updateParticipant(_ change: (inout DialogInfo.Participant) -> Void) {
            guard path.count == 4, var current = dialog else { return }
            switch path[2] {
            case "local": change(&current.local)
            case "remote": change(&current.remote)
            default: return
            }
            dialog = current
        }

        private func abort(_ parser: XMLParser, _ reason: String) {
            if failure == nil { failure = reason }
            parser.abortParsing()
        }
    }
}
