internal import FoundationEssentials

/// Decodes the NDJSON event format (`docs/events.md`): one call event per line.
///
/// ```json
/// {"call":"1700000000.12","state":"ringing","direction":"incoming","number":"+442071234567",
///  "name":"John Doe","called":"5550100","colleague":false,"tags":["vip"],"channel":"PJSIP/201-00000001"}
/// ```
public enum EventLineDecoder {
    /// Lines longer than this are refused unread: no event is that large.
    public static let maximumLineLength = 65_536

    /// Why a line is not an event.
    public struct LineError: Error, Sendable, Hashable, CustomStringConvertible {
        /// What is wrong with the line.
        public var message: String
        /// The problem, for logs.
        public var description: String { message }
    }

    private struct Wire: Decodable {
        var call: String
        var state: String
        var direction: String
        var number: String?
        var name: String?
        var called: String?
        var colleague: Bool?
        var tags: [String]?
        var channel: String?
        var user_number: String?
        var user_name: String?
        var answered_elsewhere: Bool?
        var cause: String?
    }

    /// Decodes one line (without its newline). Blank lines are not events: callers skip them.
    public static func decode(_ line: some Collection<UInt8>) throws(LineError) -> CallEvent {
        guard line.count <= maximumLineLength else {
            throw LineError(message: "line longer than \(maximumLineLength) bytes")
        }
        // Repair bad UTF-8 (U+FFFD) first: a Latin-1 caller name must not cost the whole call.
        let text = String(decoding: line, as: UTF8.self)
        if let key = JSONDuplicateKeys.first(in: text.utf8) {
            throw LineError(message: "duplicate key \"\(UntrustedText.clean(key, for: .logLine))\"")
        }
        let wire: Wire
        do {
            wire = try JSONDecoder().decode(Wire.self, from: Data(text.utf8))
        } catch let DecodingError.keyNotFound(key, _) {
            throw LineError(message: "missing \"\(key.stringValue)\"")
        } catch let DecodingError.typeMismatch(_, context) where !context.codingPath.isEmpty {
            // An empty path means the line itself is not an object (`42`, `[1]`): handled below.
            throw LineError(message: "wrong type for \"\(context.codingPath.map(\.stringValue).joined(separator: "."))\"")
        } catch {
            throw LineError(message: "not a JSON object")
        }
        guard let state = CallState(rawValue: wire.state) else {
            throw LineError(message: "\"state\" must be ringing, answered or ended, not \"\(UntrustedText.clean(wire.state, for: .logLine))\"")
        }
        guard let direction = CallDirection(rawValue: wire.direction) else {
            throw LineError(message: "\"direction\" must be incoming or outgoing, not \"\(UntrustedText.clean(wire.direction, for: .logLine))\"")
        }
        guard !wire.call.isEmpty else { throw LineError(message: "\"call\" is empty") }
        var endCause: CallEndCause?
        if let cause = wire.cause {
            guard let known = CallEndCause(rawValue: cause) else {
                throw LineError(message: "\"cause\" must be busy or failed, not \"\(UntrustedText.clean(cause, for: .logLine))\"")
            }
            endCause = known
        }
        return CallEvent(
            callID: wire.call, state: state, direction: direction, remoteNumber: wire.number ?? "",
            remoteName: wire.name ?? "", calledNumber: wire.called ?? "", userNumber: wire.user_number,
            userName: wire.user_name, isColleague: wire.colleague, tags: wire.tags ?? [], channel: wire.channel ?? "",
            answeredElsewhere: wire.answered_elsewhere ?? false, endCause: endCause)
    }
}
