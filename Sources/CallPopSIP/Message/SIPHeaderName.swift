/// Header names compared the SIP way: case-insensitive, compact forms equal to long ones.
public enum SIPHeaderName {
    /// The lowercase long form of `name` (`i` → `call-id`, `Content-Length` → `content-length`).
    public static func canonical(_ name: String) -> String {
        let lower = name.lowercased()
        return compactForms[lower] ?? lower
    }

    /// RFC 3261 section 7.3.3 and the event/refer RFCs (6665, 3515, 3892, 4028).
    private static let compactForms: [String: String] = [
        "i": "call-id", "m": "contact", "e": "content-encoding", "l": "content-length",
        "c": "content-type", "f": "from", "s": "subject", "k": "supported", "t": "to",
        "v": "via", "o": "event", "u": "allow-events", "r": "refer-to", "b": "referred-by",
        "x": "session-expires",
    ]
}
