import CallPopCore
import CallPopTestSupport
import Testing

/// The spool's file format: round trips without secrets, refuses anything else.
@Suite("Callback spool records")
struct CallbackSpoolRecordTests {
    static let request = CallbackRequest(
        ruleID: "zoho", ruleName: "Zoho", callID: "1795593625.0", event: .updated, method: "POST",
        url: "https://crm.example.com/calls?cnum=%2B441234567890",
        headers: [HeaderField("Content-Type", "application/json"), HeaderField("Idempotency-Key", String(repeating: "ab", count: 32)),
                  HeaderField("Authorization", "Bearer top-secret", isSecret: true)],
        body: #"{"name": "John \"JD\" Doe"}"#, idempotencyKey: String(repeating: "ab", count: 32), createdAt: 1_800_000_000,
        attempts: 3, timeout: .seconds(5), maximumAge: .seconds(3600), caFile: "/etc/ssl/crm.pem")

    @Test("a round trip keeps everything but the secret's value")
    func roundTrip() throws {
        let bytes = CallbackSpoolRecord.encode(Self.request)
        #expect(!String(decoding: bytes, as: UTF8.self).contains("top-secret"))
        let entry = try #require(CallbackSpoolRecord.decode(bytes))
        var expected = Self.request
        expected.headers.removeLast()
        #expect(entry.request == expected)
        #expect(entry.secretHeaderNames == ["Authorization"])
    }

    @Test("damaged and forged records are refused; seeded mutations never crash")
    func refusals() {
        let good = CallbackSpoolRecord.encode(Self.request)
        let text = String(decoding: good, as: UTF8.self)
        for bad in [
            "", "{}", "[1]", "null", text.replacingOccurrences(of: "\"version\":1", with: "\"version\":2"),
            text.replacingOccurrences(of: "\"event\":\"updated\"", with: "\"event\":\"deleted\""),
            text.replacingOccurrences(of: "\"method\":\"POST\"", with: "\"method\":\"post\""),
            text.replacingOccurrences(of: String(repeating: "ab", count: 32), with: "../../etc/passwd"),
            text.replacingOccurrences(of: "\"attempts\":3", with: "\"attempts\":-1"),
        ] {
            #expect(CallbackSpoolRecord.decode(Array(bad.utf8)) == nil, "\(bad.prefix(60))")
        }
        #expect(CallbackSpoolRecord.decode(Array(repeating: UInt8(ascii: " "), count: CallbackSpoolRecord.maximumBytes + 1)) == nil)
        var generator = SplitMix64(seed: 0x5B001)
        for _ in 0..<3000 {
            let mutated = ByteMutator.mutate(good, alphabet: Array("{}[]\":,0123456789abtrue-".utf8) + [0x00, 0xFF], edits: 4, using: &generator)
            if let entry = CallbackSpoolRecord.decode(mutated) {
                #expect(entry.request.idempotencyKey.count == 64)
            }
        }
    }
}
