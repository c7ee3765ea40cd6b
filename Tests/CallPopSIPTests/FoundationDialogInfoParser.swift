@testable import CallPopSIP
import CallPopXML
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// The dialog-info parser as it was on Foundation's `XMLParser` (libxml2), with its guards, kept
/// only as an oracle for `DialogInfoXMLDifferentialTests`: it feeds libxml2's events to the same
/// `DialogInfoBuilder`, so the test compares the hand-written `XMLReader` with libxml2.
enum FoundationDialogInfoParser {
    /// Parses a document as the former parser did.
    static func parse(_ bytes: [UInt8]) throws(SIPError) -> DialogInfo {
        guard bytes.count <= DialogInfoParser.maxBytes else { throw SIPError(.malformedDialogInfo, "too large") }
        // XMLParser traps on invalid UTF-8 in attribute values.
        guard String(validating: bytes, as: UTF8.self) != nil else { throw SIPError(.malformedDialogInfo, "body is not valid UTF-8") }
        let lowercased = String(decoding: bytes, as: UTF8.self).lowercased()
        guard !lowercased.contains("<!doctype"), !lowercased.contains("<!entity") else { throw SIPError(.malformedDialogInfo, "DTD") }
        let parser = XMLParser(data: Data(bytes))
        parser.shouldResolveExternalEntities = false
        parser.shouldProcessNamespaces = true
        let collector = Collector()
        parser.delegate = collector
        let ok = parser.parse()
        if let failure = collector.failure { throw failure }
        guard ok else { throw SIPError(.malformedDialogInfo, "not well-formed XML") }
        // XMLParser reports success for a document cut short: require the closed root.
        guard let info = collector.builder.result, collector.depth == 0, collector.rootClosed else {
            throw SIPError(.malformedDialogInfo, "no complete <dialog-info> root element")
        }
        return info
    }

    /// Forwards `XMLParser`'s callbacks to a `DialogInfoBuilder`; used from one thread, then dropped.
    private final class Collector: NSObject, XMLParserDelegate {
        var builder = DialogInfoBuilder()
        var failure: SIPError?
        var depth = 0
        var rootClosed = false

        func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                    qualifiedName qName: String?, attributes: [String: String] = [:]) {
            depth += 1
            guard depth <= DialogInfoParser.maxDepth else { return abort(parser, SIPError(.malformedDialogInfo, "too deep")) }
            let converted = attributes.map { key, value in
                let parts = key.split(separator: ":", maxSplits: 1).map(String.init)
                return XMLAttribute(name: parts.count == 2 ? XMLName(prefix: parts[0], local: parts[1]) : XMLName(local: key), value: value)
            }
            do { try builder.start(elementName, converted) } catch { abort(parser, error) }
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            builder.characters(string)
        }

        func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?) {
            builder.end(elementName)
            depth -= 1
            if depth == 0 { rootClosed = true }
        }

        private func abort(_ parser: XMLParser, _ error: SIPError) {
            if failure == nil { failure = error }
            parser.abortParsing()
        }
    }
}
