import CallPopSIP
import CallPopTestSupport
import Testing

@Suite struct DNSSRVParserTests {
    static func name(_ text: String) -> [UInt8] {
        text.split(separator: ".").flatMap { [UInt8($0.utf8.count)] + Array($0.utf8) } + [0]
    }

    static func u16(_ value: Int) -> [UInt8] { [UInt8(value >> 8), UInt8(value & 0xff)] }

    /// A response for _sip._udp.example.com with the given SRV answers (rdata given raw).
    static func response(_ answers: [[UInt8]]) -> [UInt8] {
        var bytes = u16(0x1234) + u16(0x8180) + u16(1) + u16(answers.count) + u16(0) + u16(0)
        bytes += name("_sip._udp.example.com") + u16(33) + u16(1)
        for rdata in answers {
            bytes += [0xC0, 0x0C] + u16(33) + u16(1) + [0, 0, 0x0E, 0x10] + u16(rdata.count) + rdata
        }
        return bytes
    }

    static func srv(_ priority: Int, _ weight: Int, _ port: Int, _ target: [UInt8]) -> [UInt8] {
        u16(priority) + u16(weight) + u16(port) + target
    }

    @Test func readsRecordsInPriorityThenWeightOrder() {
        // "example.com" starts at offset 12 + 1 + 4 + 1 + 4 = 22 in the question: pointer 0xC016.
        let bytes = Self.response([
            Self.srv(20, 0, 5060, Self.name("backup.example.com")),
            Self.srv(10, 10, 5080, [3] + Array("pbx".utf8) + [0xC0, 22]),
            Self.srv(10, 60, 5070, Self.name("pbx2.example.com")),
        ])
        #expect(DNSSRVParser.records(in: bytes) == [
            DNSSRVRecord(priority: 10, weight: 60, port: 5070, target: "pbx2.example.com"),
            DNSSRVRecord(priority: 10, weight: 10, port: 5080, target: "pbx.example.com"),
            DNSSRVRecord(priority: 20, weight: 0, port: 5060, target: "backup.example.com"),
        ])
    }

    @Test func dropsTheNoServiceTargetAndHostileNames() {
        #expect(DNSSRVParser.records(in: Self.response([Self.srv(0, 0, 0, [0])])).isEmpty)
        // A pointer loop, a label with a control character, a truncated record.
        let loop = Self.response([Self.srv(1, 1, 5060, [0xC0, 0x3A])])
        #expect(DNSSRVParser.records(in: loop).isEmpty)
        #expect(DNSSRVParser.records(in: Self.response([Self.srv(1, 1, 5060, [3, 0x61, 0x0A, 0x62, 0])])).isEmpty)
        #expect(DNSSRVParser.records(in: Array(Self.response([Self.srv(1, 1, 5060, Self.name("a.b"))]).dropLast(3))).isEmpty)
    }

    @Test func randomBytesNeverCrash() {
        var generator = SplitMix64(seed: 3)
        let sample = Self.response([Self.srv(10, 10, 5080, Self.name("pbx.example.com"))])
        for round in 0..<5000 {
            var bytes = sample
            if round % 2 == 0 {
                bytes = []
                for _ in 0..<Int.random(in: 0...200, using: &generator) { bytes.append(UInt8.random(in: 0...255, using: &generator)) }
            } else {
                for _ in 0..<4 { bytes[Int.random(in: 0..<bytes.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator) }
            }
            _ = DNSSRVParser.records(in: bytes)
        }
    }
}
