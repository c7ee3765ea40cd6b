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

    /// Creates a matcher; device and trunk names compare ignoring (ASCII) case.
    public init(devices: [String], trunks: [String] = []) {
        self.devices = devices
        self.trunks = trunks
        self.prefixes = devices.filter { $0.contains("/") }.map { device in
            let lower = device.lowercased()
            if lower.hasPrefix("local/") {
                return (Array((lower.contains("@") ? lower + "-" : lower + "@").utf8), true)
            }
            return (Array((lower + "-").utf8), false)
        }
        self.trunkNames = Set(trunks.map { $0.lowercased() })
    }

    private let prefixes: [(prefix: [UInt8], isLocal: Bool)]
    private let trunkNames: Set<String>

    /// `true` when `channel` is one of the user's own call legs.
    ///
    /// After `PJSIP/201-` only the channel's sequence number may follow (hex digits), so
    /// device `PJSIP/201` does not claim the channels of an endpoint named `201-mobile`.
    public func isUserChannel(_ channel: String) -> Bool {
        var channel = channel
        return channel.withUTF8 { isUserChannel($0) }
    }

    /// `isUserChannel` on the channel name's bytes, as the AMI message holds them: every
    /// channel of the PBX is tested, and nearly all are not the user's.
    func isUserChannel(_ channel: UnsafeBufferPointer<UInt8>) -> Bool {
        for entry in prefixes where channel.count > entry.prefix.count {
            let matches = entry.prefix.withUnsafeBufferPointer { prefix in
                AMIBytes.equalsIgnoringCase(UnsafeBufferPointer(rebasing: channel[..<prefix.count]), prefix)
            }
            guard matches else { continue }
            let sequence = channel[entry.prefix.count...]
            if entry.isLocal { return sequence.count >= 2 && sequence.suffix(2).elementsEqual(";1".utf8) }
            return sequence.allSatisfy(Self.isHexDigit)
        }
        return false
    }

    private static func isHexDigit(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || (byte | 0x20) &- UInt8(ascii: "a") < 6
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
        var channel = channel
        return channel.withUTF8 { bytes -> Bool? in
            guard let slash = bytes.firstIndex(of: UInt8(ascii: "/")) else { return nil }
            guard !AMICallMapper.isLocal(bytes) else { return nil }
            var endpoint = bytes[(slash + 1)...]
            if let dash = endpoint.lastIndex(of: UInt8(ascii: "-")) { endpoint = endpoint[..<dash] }
            if !trunkNames.isEmpty, trunkNames.contains(String(decoding: endpoint, as: UTF8.self).lowercased()) { return false }
            if !number.isEmpty, endpoint.elementsEqual(number.utf8) { return true }
            return nil
        }
    }
}
