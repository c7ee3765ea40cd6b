/// The events an `AMIFramer` passes on, by name (compared ignoring ASCII case); the framer
/// skips every other event from its first line without parsing it.
public struct AMIEventFilter: Sendable, Hashable {
    /// The names, lower-cased, back to back.
    private let names: [UInt8]
    /// Where each name ends in `names`.
    private let ends: [Int]
    /// Bit `signature(name)` is set for every name: most events are turned away by this alone.
    private let signatures: UInt64

    /// A filter passing the events named `names`.
    public init(passing names: some Sequence<String>) {
        var bytes: [UInt8] = []
        var ends: [Int] = []
        var signatures: UInt64 = 0
        for name in Set(names.map { $0.lowercased() }).sorted() {
            bytes += name.utf8
            ends.append(bytes.count)
            var name = name
            signatures |= name.withUTF8 { Self.signature($0) }
        }
        self.names = bytes
        self.ends = ends
        self.signatures = signatures
    }

    /// Whether the event named `name` is passed on.
    public func passes(_ name: String) -> Bool {
        var name = name
        return name.withUTF8 { passes($0) }
    }

    /// Whether the event named `name` (its raw bytes) is passed on.
    func passes(_ name: UnsafeBufferPointer<UInt8>) -> Bool {
        guard signatures & Self.signature(name) != 0 else { return false }
        return names.withUnsafeBufferPointer { names in
            var start = 0
            for end in ends {
                defer { start = end }
                if end - start == name.count, AMIBytes.equalsIgnoringCase(name, UnsafeBufferPointer(rebasing: names[start..<end])) {
                    return true
                }
            }
            return false
        }
    }

    /// One bit of 64 from a name's length and its first and last bytes, ignoring ASCII case.
    private static func signature(_ name: UnsafeBufferPointer<UInt8>) -> UInt64 {
        guard let first = name.first, let last = name.last else { return 1 }
        let mix = name.count &* 7 &+ Int(AMIBytes.lower(first)) &* 3 &+ Int(AMIBytes.lower(last)) &* 5
        return 1 << UInt64(mix & 63)
    }
}
