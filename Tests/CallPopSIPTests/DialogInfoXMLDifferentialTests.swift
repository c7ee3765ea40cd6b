import CallPopSIP
import CallPopTestSupport
import Testing

/// The hand-written reader against the former libxml2-based parser on mutated documents.
@Suite struct DialogInfoXMLDifferentialTests {
    /// Bytes that make mutations hit markup rather than only text.
    private static let alphabet = Array("<>/=\"'&;#x!-:?[]CDATAdialogstatexyz 0123\n\r\t".utf8) + [0x00, 0x80, 0xC3, 0xFF]

    private static func corpus() throws -> [[UInt8]] {
        var documents = [DialogInfoParserTests.rfcTrying, DialogInfoParserTests.rfcConfirmed].map { Array($0.utf8) }
        for file in recordedDialogFiles {
            documents += try recordedNotifies(file).map(\.body).filter { !$0.isEmpty }
        }
        return documents
    }

    private static func mutate(_ original: [UInt8], using generator: inout SplitMix64) -> [UInt8] {
        var bytes = original
        for _ in 0..<Int.random(in: 1...3, using: &generator) where !bytes.isEmpty {
            let position = Int.random(in: 0..<bytes.count, using: &generator)
            let byte = alphabet.randomElement(using: &generator) ?? 0
            switch Int.random(in: 0..<4, using: &generator) {
            case 0: bytes[position] = byte
            case 1: bytes.insert(byte, at: position)
            case 2: bytes.remove(at: position)
            default:
                let end = min(bytes.count, position + Int.random(in: 1...12, using: &generator))
                bytes.insert(contentsOf: bytes[position..<end], at: position)
            }
        }
        return bytes
    }

    @Test func neverMoreLenientThanLibxml2AndSameResults() throws {
        var generator = SplitMix64(seed: 4235)
        let documents = try Self.corpus()
        var acceptedByBoth = 0
        var refusedOnlyHere = 0
        for round in 0..<8_000 {
            let bytes = round < documents.count ? documents[round] : Self.mutate(documents[round % documents.count], using: &generator)
            let ours = try? DialogInfoParser.parse(bytes)
            let theirs = try? FoundationDialogInfoParser.parse(bytes)
            switch (ours, theirs) {
            case (let ours?, let theirs?):
                acceptedByBoth += 1
                #expect(ours == theirs, "different results for \(String(decoding: bytes, as: UTF8.self).debugDescription)")
            case (_?, nil):
                Issue.record("accepted what libxml2 refuses: \(String(decoding: bytes, as: UTF8.self).debugDescription)")
            case (nil, _?):
                refusedOnlyHere += 1
            case (nil, nil):
                break
            }
        }
        print("differential: \(acceptedByBoth) accepted by both, \(refusedOnlyHere) refused only by the new reader")
        #expect(acceptedByBoth >= 1_500)
    }
}
