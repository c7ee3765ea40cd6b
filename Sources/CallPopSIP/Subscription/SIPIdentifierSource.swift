/// Produces tags, branches, Call-IDs and cnonces: random in production, seeded in tests.
struct SIPIdentifierSource: Sendable {
    private var state: UInt64

    /// `seed` fixes the sequence (tests); `nil` draws one from the system generator.
    init(seed: UInt64?) {
        var system = SystemRandomNumberGenerator()
        state = seed ?? system.next()
    }

    /// `count` lowercase hex digits (SplitMix64; unpredictable enough for tags, which RFC
    /// 3261 wants unique, not secret; the cnonce only needs to be fresh).
    mutating func hex(_ count: Int) -> String {
        var text = ""
        while text.count < count {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            z ^= z >> 31
            let digits = String(z, radix: 16)
            text += String(repeating: "0", count: 16 - digits.count) + digits
        }
        return String(text.prefix(count))
    }

    /// A Via branch with the RFC 3261 magic cookie.
    mutating func branch() -> String { "z9hG4bK" + hex(20) }
}
