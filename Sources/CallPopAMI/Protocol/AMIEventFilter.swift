/// The events an `AMIFramer` passes on, by name (compared ignoring ASCII case); the framer
/// skips every other event from its first line without parsing it.
public struct AMIEventFilter: Sendable, Hashable {
    /// The names as given (Asterisk's spelling, so that a byte comparison nearly always settles
    /// it), back to back; `ends[i]` is where name `i` ends.
    private let names: [UInt8]
    private let ends: [Int]
    /// Each name's signature bit: most candidates fail on it.
    private let bits: [UInt64]
    /// The union of the names' signature bits: most events are turned away by this alone.
    private let signatures: UInt64
    /// The union of a second, independent signature bit of each name: of the names that share
    /// a first bit with a wanted one by chance (one in five with a dozen names), most differ here.
    private let secondSignatures: UInt64

    /// A filter passing the events named `names`.
    public init(passing names: some Sequence<String>) {
        // One of each name, whatever its case (the first spelling given is kept).
        var seen: Set<String> = []
        let sorted = names.filter { seen.insert($0.lowercased()).inserted }.sorted().map { Array($0.utf8) }
        self.names = sorted.flatMap { $0 }
        ends = sorted.reduce(into: []) { $0.append(($0.last ?? 0) + $1.count) }
        bits = sorted.map { name in name.withUnsafeBufferPointer { Self.signature($0) } }
        signatures = bits.reduce(0, |)
        secondSignatures = sorted.reduce(0) { union, name in union | name.withUnsafeBufferPointer { Self.secondSignature($0) } }
    }

    /// Whether the event named `name` is passed on.
    public func passes(_ name: String) -> Bool {
        var name = name
        return name.withUTF8 { passes($0) }
    }

    /// Whether the event named `name` (its raw bytes) is passed on. Inlined: the signature
    /// turns most names away, and this runs for every event of the stream.
    @inline(__always)
    func passes(_ name: UnsafeBufferPointer<UInt8>) -> Bool {
        let bit = Self.signature(name)
        return signatures & bit != 0 && secondSignatures & Self.secondSignature(name) != 0 && contains(name, bit: bit)
    }

    private func contains(_ name: UnsafeBufferPointer<UInt8>, bit: UInt64) -> Bool {
        bits.withUnsafeBufferPointer { bits in
            ends.withUnsafeBufferPointer { ends in
                names.withUnsafeBufferPointer { names in
                    for index in bits.indices where bits[index] == bit {
                        let start = index == 0 ? 0 : ends[index - 1]
                        if AMIBytes.equalsIgnoringCase(name, UnsafeBufferPointer(rebasing: names[start..<ends[index]])) { return true }
                    }
                    return false
                }
            }
        }
    }

    /// One bit of 64 from a name's length and its first and last bytes, ignoring ASCII case.
    @inline(__always)
    private static func signature(_ name: UnsafeBufferPointer<UInt8>) -> UInt64 {
        guard let first = name.first, let last = name.last else { return 1 }
        let mix = name.count &* 7 &+ Int(AMIBytes.lower(first)) &* 3 &+ Int(AMIBytes.lower(last)) &* 5
        return 1 << UInt64(mix & 63)
    }

    /// Another bit of 64, from the length and the second and next-to-last bytes, ignoring ASCII case.
    @inline(__always)
    private static func secondSignature(_ name: UnsafeBufferPointer<UInt8>) -> UInt64 {
        guard name.count >= 2 else { return 1 }
        let mix = name.count &* 11 &+ Int(AMIBytes.lower(name[1])) &* 5 &+ Int(AMIBytes.lower(name[name.count &- 2])) &* 3
        return 1 << UInt64(mix & 63)
    }

}
