import CallPopSIP
import CallPopTestSupport
import Testing

/// The hand-written reader against the former libxml2-based parser on mutated documents.
@Suite struct DialogInfoXMLDifferentialTests {
    private static func corpus() throws -> [[UInt8]] {
        var documents = [DialogInfoParserTests.rfcTrying, DialogInfoParserTests.rfcConfirmed].map { Array($0.utf8) }
        for file in recordedDialogFiles {
            documents += try recordedNotifies(file).map(\.body).filter { !$0.isEmpty }
        }
        return documents
    }

    @Test func neverMoreLenientThanLibxml2AndSameResults() throws {
        var generator = SplitMix64(seed: 4235)
        let documents = try Self.corpus()
        var acceptedByBoth = 0
        var refusedOnlyHere = 0
        for round in 0..<8_000 {
            let bytes = round < documents.count ? documents[round] : ByteMutator.mutate(documents[round % documents.count], alphabet: ByteMutator.markupAlphabet, using: &generator)
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
