/// The numbers in a colleague directory's response (`[colleagues] url`), in either shape:
///
/// - a JSON array of numbers: `["201", "202", "+442071234567"]` (numbers may be JSON numbers);
/// - the Wildix PBX API `GET /api/v1/Colleagues/`: `{"result": {"records": [{"extension": "201",
///   "officePhone": "+44…", "mobilePhone": "+44…"}, …]}}`.
///
/// The response is a stranger's text like any other: only values that look like phone
/// numbers (digits, an optional leading `+`, the usual separators) are kept, so an entry
/// can never become a pattern wildcard (`X`, `?`, `*`) that would make every caller a colleague.
///
/// The Wildix API answers a page at a time (`start`, `count`) and says how many there are
/// (`result.total`); `listing(in:)` reports a short page, so the log can say to raise `count`.
public enum ColleagueDirectoryResponse {
    /// What one answer holds.
    public struct Listing: Sendable, Hashable {
        /// The colleague numbers, without duplicates, in order.
        public var numbers: [String]
        /// How many records the answer listed (Wildix shape), or numbers (array shape).
        public var listed: Int
        /// How many records the directory says it has (Wildix `result.total`), when it says.
        public var total: Int?
    }

    /// At most this many numbers are kept.
    public static let maximumNumbers = 20_000

    /// The Wildix record fields that hold a colleague's numbers.
    static let recordFields = ["extension", "officePhone", "mobilePhone"]

    /// The colleague numbers in `body`, without duplicates, in order.
    public static func numbers(in body: [UInt8]) throws(LookupError) -> [String] {
        try listing(in: body).numbers
    }

    /// The numbers in `body` and how complete the answer says it is.
    public static func listing(in body: [UInt8]) throws(LookupError) -> Listing {
        let root = try JSONValue(parsing: body)
        var found: [String] = []
        var listed = 0
        var total: Int?
        switch root {
        case .array(let items):
            found = items.compactMap(\.text)
            listed = items.count
        case .object:
            guard case .array(let records)? = (try? JSONFieldPath("result.records"))?.value(in: root) else {
                throw LookupError(.malformedJSON, "the directory's answer is neither an array of numbers nor {\"result\": {\"records\": […]}}")
            }
            for case .object(let record) in records {
                for field in recordFields { if let text = record[field]?.text { found.append(text) } }
            }
            listed = records.count
            if case .integer(let count)? = (try? JSONFieldPath("result.total"))?.value(in: root) { total = Int(clamping: count) }
        default:
            throw LookupError(.malformedJSON, "the directory's answer is neither an array of numbers nor {\"result\": {\"records\": […]}}")
        }
        var seen: Set<String> = []
        var numbers: [String] = []
        for text in found {
            let number = text.trimmingSpaces
            guard isPhoneNumber(number), seen.insert(number).inserted else { continue }
            numbers.append(number)
            if numbers.count == maximumNumbers { break }
        }
        return Listing(numbers: numbers, listed: listed, total: total)
    }

    /// Digits with separators and at most a leading `+`: 1 to 32 characters, at least one digit.
    static func isPhoneNumber(_ text: String) -> Bool {
        guard (1...32).contains(text.utf8.count), text.utf8.contains(where: { $0 >= 0x30 && $0 <= 0x39 }) else { return false }
        for (index, byte) in text.utf8.enumerated() {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: " "), UInt8(ascii: "-"), UInt8(ascii: "."),
                 UInt8(ascii: "("), UInt8(ascii: ")"):
                continue
            case UInt8(ascii: "+") where index == 0:
                continue
            default:
                return false
            }
        }
        return true
    }
}
