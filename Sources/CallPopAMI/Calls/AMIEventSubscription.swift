/// What an agent asks Asterisk to send it, so that a PBX with hundreds of desktops does not
/// send each of them every event of the whole PBX.
///
/// Two filters, both applied by Asterisk before an event leaves the PBX:
/// - the login's `Events:` mask: only the `call` class, which carries every event the call
///   mapper reads (dialplan `VarSet`/`Newexten`, the bulk of a busy PBX, and security, agent
///   and system events never cross the network);
/// - one include filter (the `Filter` action; a POSIX extended regular expression that Asterisk
///   matches against each event's whole text): events that name one of the user's channels,
///   every `Newchannel`, whose `Exten` is the number a call came in on, and the outcomes of
///   callpop's own click-to-dial Originates (by their `ActionID`).
///
/// The mapper reads a user's call from the events that name the user's channels; the one thing
/// it may need from elsewhere is the dialled number of the call's first channel, for calls that
/// reach the user's phone through a Local channel the user's devices do not list. The test
/// `AMIEventFilterSemanticsTests` applies Asterisk's rules to every recording and proves the
/// decisions the same with and without these filters.
public struct AMIEventSubscription: Sendable, Hashable {
    /// The event classes to log in with (the `Events:` header of `Login`).
    public static let eventMask = "call"

    /// The include filter for the `Filter` action, or `nil` when no device names a channel
    /// (then nothing is filtered: an include filter that matches nothing would drop everything).
    public let filter: String?

    /// The subscription for the user's `devices` (as `AMIDeviceMatcher` takes them).
    public init(devices: [String]) {
        let channelPatterns = devices.filter { $0.contains("/") }.map { device -> String in
            let lower = device.lowercased()
            // The same prefixes the matcher recognises the user's channels by, in any case.
            let prefix = lower.hasPrefix("local/") ? lower + (lower.contains("@") ? "-" : "@") : lower + "-"
            return Self.caseless(prefix)
        }
        guard !channelPatterns.isEmpty else {
            filter = nil
            return
        }
        // "^Event: Newchannel" then a line end: the event text starts with its Event line. The
        // outcome of a click-to-dial names the device without a channel suffix when it fails:
        // it is let through by the ActionID callpop gives its Originates.
        let originates = "ActionID: " + Self.caseless(AMIOriginate.actionIDPrefix)
        filter = (["^Event: Newchannel[^A-Za-z0-9]", originates] + Set(channelPatterns).sorted()).joined(separator: "|")
    }

    /// `text` as a POSIX extended regular expression matching it in any ASCII case: letters
    /// become bracket pairs, every other byte that has a meaning in a pattern is escaped.
    static func caseless(_ text: String) -> String {
        var pattern = ""
        for scalar in text.unicodeScalars {
            let character = Character(scalar)
            if scalar.isASCII, character.isLetter {
                pattern += "[\(character.lowercased())\(character.uppercased())]"
            } else if "\\^$.|?*+()[]{}".unicodeScalars.contains(scalar) {
                pattern += "\\" + String(character)
            } else {
                pattern.unicodeScalars.append(scalar)
            }
        }
        return pattern
    }
}
