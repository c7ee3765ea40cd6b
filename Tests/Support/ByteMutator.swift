/// Makes hostile inputs for parser tests: random bytes, and valid documents with a few bytes
/// replaced, inserted, removed or runs repeated, so the mutations reach deep into a parser.
public enum ByteMutator {
    /// Bytes that make mutations of XML hit markup rather than only text, plus invalid UTF-8.
    public static let markupAlphabet = Array("<>/=\"'&;#x!-:?[]CDATAdialogstatexyz 0123\n\r\t".utf8) + [0x00, 0x80, 0xC3, 0xFF]

    /// `count` random bytes.
    public static func random(count: Int, using generator: inout SplitMix64) -> [UInt8] {
        (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }

    /// `original` with one to `edits` random edits drawing new bytes from `alphabet`.
    public static func mutate(_ original: [UInt8], alphabet: [UInt8], edits: Int = 3, using generator: inout SplitMix64) -> [UInt8] {
        var bytes = original
        for _ in 0..<Int.random(in: 1...max(1, edits), using: &generator) where !bytes.isEmpty {
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
}
