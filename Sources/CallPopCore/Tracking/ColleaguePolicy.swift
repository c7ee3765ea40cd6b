/// Decides whether a remote number belongs to a colleague (another user of the same
/// PBX), for which the automatic triggers do not fire.
public struct ColleaguePolicy: Sendable, Hashable {
    /// Exact numbers or patterns of colleagues (`[colleagues] numbers`).
    public var patterns: [NumberPattern]
    /// Numbers with as many digits as the user's own extension count as colleagues
    /// (`[colleagues] same_length_as_user`, default on).
    public var sameLengthAsUser: Bool

    /// Creates a policy.
    public init(patterns: [NumberPattern] = [], sameLengthAsUser: Bool = true) {
        self.patterns = patterns
        self.sameLengthAsUser = sameLengthAsUser
    }

    /// Whether `remoteNumber` is a colleague's, for a user whose own number is `userNumber`.
    public func isColleague(_ remoteNumber: String, userNumber: String) -> Bool {
        if patterns.contains(where: { $0.matches(remoteNumber) }) { return true }
        guard sameLengthAsUser, !userNumber.isEmpty, !remoteNumber.isEmpty else { return false }
        // Bytes: this runs for every new call, and most remote numbers fail at their first byte (`+`, `0…` is long).
        var digits = 0
        for byte in remoteNumber.utf8 where !NumberPattern.isSeparator(byte) {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return false }
            digits += 1
        }
        return digits == NumberPattern.stripSeparators(userNumber).count
    }
}
