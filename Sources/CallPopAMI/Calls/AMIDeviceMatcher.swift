/// Decides which AMI channels belong to the user, and whether a peer channel is a colleague.
///
/// A device is `Technology/resource`, e.g. `PJSIP/201`. Asterisk names a
/// device's channels `PJSIP/201-0000002a`; a Local device `Local/201` has
/// channels `Local/201@context-0000001b;1` (only the `;1` half is the user's
/// leg: the `;2` half is the dialplan side that dials the real phone).
public struct AMIDeviceMatcher: Sendable {
    /// The user's devices, e.g. `["PJSIP/201", "SIP/201", "IAX2/201", "Local/201"]`.
    public let devices: [String]
    /// Endpoint names of trunks (e.g. `trunk`, `carrier-out`): a peer on one is never a colleague.
    public let trunks: [String]

    /// The devices Asterisk channel drivers give extension `number`.
    public static func defaultDevices(forNumber number: String) -> [String] {
        ["PJSIP", "SIP", "IAX2", "Local"].map { "\($0)/\(number)" }
    }

    /// Creates a matcher; device and trunk names compare case-insensitively.
    public init(devices: [String], trunks: [String] = []) {
        self.devices = devices
        self.trunks = trunks
        self.prefixes = devices.filter { $0.contains("/") }.map { device in
            let lower = device.lowercased()
            if lower.hasPrefix("local/") {
                return (lower.contains("@") ? lower + "-" : lower + "@", true)
            }
            return (lower + "-", false)
        }
        self.trunkNames = Set(trunks.map { $0.lowercased() })
    }

    private let prefixes: [(prefix: String, isLocal: Bool)]
    private let trunkNames: Set<String>

    /// `true` when `channel` is one of the user's own call legs.
    ///
    /// After `PJSIP/201-` only the channel's sequence number may follow (hex digits), so
    /// device `PJSIP/201` does not claim the channels of an endpoint named `201-mobile`.
    public func isUserChannel(_ channel: String) -> Bool {
        let lower = channel.lowercased()
        return prefixes.contains { entry in
            guard lower.hasPrefix(entry.prefix) else { return false }
            if entry.isLocal { return lower.hasSuffix(";1") }
            let sequence = lower.dropFirst(entry.prefix.count)
            return !sequence.isEmpty && sequence.allSatisfy(\.isHexDigit)
        }
    }

    /// Whether the party on `channel`, presenting `number`, is a colleague.
    ///
    /// The heuristic: on Asterisk an extension's phone is an endpoint named
    /// after the extension (`PJSIP/202` presents caller ID 202), while a trunk
    /// endpoint (`PJSIP/trunk`) presents the outside number. So: a configured
    /// trunk → `false`; an endpoint whose name equals the number it presents →
    /// `true`; anything else (Local channels, unusual naming) → `nil`, which
    /// leaves the decision to the configured colleague patterns.
    public func isColleague(channel: String, number: String) -> Bool? {
        guard let slash = channel.firstIndex(of: "/") else { return nil }
        let technology = channel[..<slash].lowercased()
        guard technology != "local" else { return nil }
        var endpoint = channel[channel.index(after: slash)...]
        if let dash = endpoint.lastIndex(of: "-") { endpoint = endpoint[..<dash] }
        if trunkNames.contains(endpoint.lowercased()) { return false }
        if !number.isEmpty, endpoint == number[...] { return true }
        return nil
    }
}
