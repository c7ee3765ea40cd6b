@testable import CallPopAMI
import CallPopTestSupport
import Testing

/// Field lookups (by name, ignoring ASCII case, first field wins) checked against a plain scan
/// of the fields, on messages of every size, built and framed, with keys that repeat or differ
/// only in case.
@Suite struct AMIMessageLookupTests {
    /// Keys of the same length and first letter; some differ only in case.
    static let keys = ["Channel", "Context", "CallerIDNum", "CallerIDName", "Uniqueid", "Linkedid", "Exten", "Event",
                       "EVENT", "ActionID", "A", "a", "B", "Variable", "X-Header", "Key_9"]

    @Test func everyKeyFindsItsFirstFieldInMessagesOfEverySize() {
        var random = SplitMix64(seed: 0xF1E1D)
        for size in 0...40 {
            for round in 0..<20 {
                let fields = (0..<size).map { index in
                    AMIMessage.Field(Self.keys[Int(random.next() % UInt64(Self.keys.count))],
                                     round % 3 == 0 ? "" : "value \(index)")
                }
                for message in [AMIMessage(fields), Self.framed(fields)].compactMap({ $0 }) {
                    for key in Self.keys + ["Missing", "Chan", "Channel2", ""] {
                        let expected = fields.first { Self.sameIgnoringCase($0.key, key) }?.value
                        #expect(message[key] == expected, "\(size) fields, \(key)")
                    }
                }
            }
        }
    }

    /// The message the framer makes of `fields` (the bytes as received, line ends included).
    static func framed(_ fields: [AMIMessage.Field]) -> AMIMessage? {
        guard !fields.isEmpty else { return nil }
        var framer = AMIFramer()
        let text = fields.map { "\($0.key): \($0.value)\r\n" }.joined() + "\r\n"
        guard case .message(let message)? = framer.feed(Array(text.utf8)).first else { return nil }
        return message
    }

    static func sameIgnoringCase(_ a: String, _ b: String) -> Bool {
        a.utf8.count == b.utf8.count && zip(a.utf8, b.utf8).allSatisfy { AMIBytes.lower($0) == AMIBytes.lower($1) }
    }
}
