internal import FoundationEssentials

/// A callback waiting for delivery, as one spool file holds it.
///
/// Secrets never reach the disk: a secret header is stored by name only, and its value is
/// taken again from the rule (`CallbackRule.secretHeaders`) when the request is sent after a
/// restart. Everything read back is checked as if it came from a stranger: a damaged or
/// forged file is refused, never sent.
public enum CallbackSpoolRecord {
    /// The largest spool file read back.
    public static let maximumBytes = 256 * 1024

    private struct Wire: Codable {
        var version: Int
        var key: String
        var rule: String
        var ruleName: String
        var call: String
        var event: String
        var method: String
        var url: String
        var headers: [[String]]
        var secretHeaders: [String]
        var body: String?
        var created: Int64
        var attempts: Int
        var sequence: Int64
        var timeoutMilliseconds: Int
        var maximumAgeSeconds: Int64
        var caFile: String?
    }

    /// The file's bytes for `request`, secrets left out.
    public static func encode(_ request: CallbackRequest) -> [UInt8] {
        let wire = Wire(
            version: 1, key: request.idempotencyKey, rule: request.ruleID, ruleName: request.ruleName, call: request.callID,
            event: request.event.rawValue, method: request.method, url: request.url,
            headers: request.headers.filter { !$0.isSecret }.map { [$0.name, $0.value] },
            secretHeaders: request.headers.filter(\.isSecret).map(\.name), body: request.body, created: request.createdAt,
            attempts: request.attempts, sequence: request.sequence, timeoutMilliseconds: Int(request.timeout / .milliseconds(1)),
            maximumAgeSeconds: Int64(request.maximumAge / .seconds(1)), caFile: request.caFile)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return (try? Array(encoder.encode(wire))) ?? []
    }

    /// A spooled request and the names of the secret headers to add back before sending.
    public struct Entry: Sendable, Hashable {
        /// The request without its secret headers.
        public var request: CallbackRequest
        /// The secret headers it had, by name.
        public var secretHeaderNames: [String]
    }

    /// Reads a spool file back; nil for anything that is not a well-formed record.
    public static func decode(_ bytes: [UInt8]) -> Entry? {
        guard bytes.count <= maximumBytes, let wire = try? JSONDecoder().decode(Wire.self, from: Data(bytes)),
              wire.version == 1, let event = CallbackEventKind(rawValue: wire.event),
              wire.key.count == 64, wire.key.utf8.allSatisfy({ PercentEncoding.hexValue($0) != nil }),
              wire.headers.allSatisfy({ $0.count == 2 }), wire.attempts >= 0, wire.timeoutMilliseconds > 0,
              wire.maximumAgeSeconds >= 0, wire.method.utf8.allSatisfy({ $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") }),
              !wire.method.isEmpty
        else { return nil }
        var request = CallbackRequest(
            ruleID: wire.rule, ruleName: UntrustedText.clean(wire.ruleName, for: .logLine),
            callID: UntrustedText.clean(wire.call, for: .logLine), event: event, method: wire.method, url: wire.url,
            headers: wire.headers.map { HeaderField($0[0], $0[1]) }, body: wire.body, idempotencyKey: wire.key,
            createdAt: wire.created, attempts: wire.attempts, timeout: .milliseconds(wire.timeoutMilliseconds),
            maximumAge: .seconds(wire.maximumAgeSeconds), caFile: wire.caFile)
        request.sequence = wire.sequence
        return Entry(request: request, secretHeaderNames: wire.secretHeaders)
    }
}
