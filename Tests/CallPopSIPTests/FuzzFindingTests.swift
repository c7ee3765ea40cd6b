import CallPopSIP
import CallPopTestSupport
import Foundation
import Testing

/// Inputs with which the `sip-message` fuzz target found a defect (Tests/Fixtures/fuzz/sip-message/).
@Suite("SIP fuzz findings")
struct SIPFuzzFindingTests {
    /// The fuzz input without its control byte.
    static func input(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: Fixtures.url("fuzz/sip-message/" + name)).dropFirst())
    }

    /// `via-with-a-nul-and-a-bare-lf`: a blank continuation line added a space to the value.
    /// `via-of-tabs-and-a-combining-mark`: a value starting with a combining mark (U+06EB)
    /// joined the space after `Via:` into one `Character`, which the trim did not see.
    @Test(arguments: ["via-with-a-nul-and-a-bare-lf", "via-of-tabs-and-a-combining-mark"])
    func ourAnswerCarriesTheCopiedHeadersUnchanged(_ finding: String) throws {
        let request = try SIPMessageParser.parseDatagram(try Self.input(finding))
        let answer = try #require(SIPResponder.responseToStray(request))
        let reparsed = try SIPMessageParser.parseDatagram(answer.serialized())
        for name in ["Via", "From", "To", "Call-ID", "CSeq"] {
            #expect(reparsed.headerValues(name) == request.headerValues(name), "\(name): \(request.headerValues(name).map(\.debugDescription)) → \(reparsed.headerValues(name).map(\.debugDescription))")
        }
    }
}
