import CallPopAMI
import CallPopCore
import CallPopTestSupport
import Glibc
import Testing

/// What Asterisk does with a session's `Events:` mask and `Filter` actions (manager.c), applied
/// to recorded and hand-written streams: the events an agent receives once it asks for them.
struct AsteriskSessionFilter {
    /// Event classes the session asked for (`Events: call`), `nil` for `Events: on`.
    let mask: Set<String>?
    private let includes: [Regex]
    private let excludes: [Regex]

    /// One compiled filter, freed with the filter.
    final class Regex {
        let compiled = UnsafeMutablePointer<regex_t>.allocate(capacity: 1)
        init(_ pattern: some StringProtocol) {
            precondition(regcomp(compiled, String(pattern), REG_EXTENDED | REG_NOSUB) == 0, "bad filter \(pattern)")
        }
        func matches(_ text: String) -> Bool { regexec(compiled, text, 0, nil, 0) == 0 }
        deinit {
            regfree(compiled)
            compiled.deallocate()
        }
    }

    /// Filters as the `Filter` action takes them: a leading `!` excludes. Compiled as manager.c
    /// does (`regcomp`, POSIX extended, no sub-matches), matched against the whole event text.
    init(mask: String, filters: [String]) {
        self.mask = mask == "on" ? nil : Set(mask.split(separator: ",").map(String.init))
        includes = filters.filter { !$0.hasPrefix("!") }.map { Regex($0) }
        excludes = filters.filter { $0.hasPrefix("!") }.map { Regex($0.dropFirst()) }
    }

    /// Whether a message (its text, lines joined by CRLF) reaches the session. Responses and the
    /// list events of an action (`CoreShowChannel`) are answers, never filtered.
    func delivers(_ message: String) -> Bool {
        guard message.hasPrefix("Event: "), !message.hasPrefix("Event: CoreShowChannel") else { return true }
        if let mask {
            let privilege = message.split(separator: "\r\n").first { $0.hasPrefix("Privilege: ") }
            let classes = Set((privilege?.dropFirst("Privilege: ".count) ?? "").split(separator: ",").map(String.init))
            guard !classes.isDisjoint(with: mask) else { return false }
        }
        func matches(_ regex: Regex) -> Bool { regex.matches(message) }
        // match_filter: no filters → all; includes only → any include; excludes only → no exclude;
        // both → an include and then no exclude.
        if !includes.isEmpty, !includes.contains(where: matches) { return false }
        return !excludes.contains(where: matches)
    }

    /// The messages of `stream` (CRLF text after the banner line) that reach the session, as one stream.
    func apply(to stream: [UInt8]) -> [UInt8] {
        var text = String(decoding: stream, as: UTF8.self)
        var banner = ""
        if text.hasPrefix("Asterisk Call Manager/"), let end = text.range(of: "\r\n") {
            banner = String(text[..<end.upperBound])
            text = String(text[end.upperBound...])
        }
        let messages = text.components(separatedBy: "\r\n\r\n").filter { !$0.isEmpty }
        return Array((banner + messages.filter(delivers).map { $0 + "\r\n\r\n" }.joined()).utf8)
    }
}

/// The agent's `AMIEventSubscription` under Asterisk's filtering rules, on every recording
/// and hand-written stream: the call events (and so every decision) are the same as from the
/// unfiltered stream, for the user and for a colleague, and far fewer bytes arrive.
@Suite struct AMIEventFilterSemanticsTests {
    static let recorded = ["inbound-answered", "inbound-missed", "outbound-answered", "internal-colleague"]
    /// The click-to-dial recordings too (an Originate's legs and its OriginateResponse).
    static let allRecorded = recorded + ["click-to-dial", "click-to-dial-failed"]
    static let handwritten = [
        "queue-answered", "queue-local-members", "ringgroup-answered-elsewhere",
        "inbound-answered-snapshot-ringing", "inbound-answered-snapshot-up",
    ]

    static func stream(_ name: String) throws -> [UInt8] {
        allRecorded.contains(name) ? try AMIStreams.recorded(name) : try AMIStreams.handwritten(name)
    }

    /// The agents compared: the user, a colleague, and a user whose devices leave out the Local
    /// channels a queue reaches the phone through (the dialled number then comes from `Newchannel`).
    static let agents: [(name: String, devices: [String])] = [
        ("201", AMIDeviceMatcher.defaultDevices(forNumber: "201")),
        ("202", AMIDeviceMatcher.defaultDevices(forNumber: "202")),
        ("PJSIP/201 only", ["PJSIP/201"]),
    ]

    static func filter(for devices: [String]) -> AsteriskSessionFilter {
        let subscription = AMIEventSubscription(devices: devices)
        return AsteriskSessionFilter(mask: AMIEventSubscription.eventMask, filters: subscription.filter.map { [$0] } ?? [])
    }

    /// Call events from a stream: the events through the mapper, or a resynchronisation from a
    /// `CoreShowChannels` snapshot, as the session feeds them.
    static func callEvents(_ stream: [UInt8], devices: [String]) -> [CallEvent] {
        let messages = AMIStreams.messages(stream)
        if messages.contains(where: { $0.isEvent("CoreShowChannel") }) {
            var mapper = AMICallMapper(matcher: AMIDeviceMatcher(devices: devices))
            mapper.beginResync()
            return mapper.resync(messages.filter { $0.isEvent("CoreShowChannel") })
        }
        return AMIStreams.callEvents(messages, devices: devices)
    }

    @Test(arguments: allRecorded + handwritten)
    func filteredStreamsDecideTheSame(name: String) throws {
        let stream = try Self.stream(name)
        for agent in Self.agents {
            let filtered = Self.filter(for: agent.devices).apply(to: stream)
            let all = Self.callEvents(stream, devices: agent.devices)
            #expect(Self.callEvents(filtered, devices: agent.devices) == all, "\(name), agent \(agent.name)")
            #expect(try AMIDecisionTests.decisions(Self.callEvents(filtered, devices: agent.devices)) == AMIDecisionTests.decisions(all))
        }
    }

    /// The filter is not vacuous: the recordings hold calls for 201, and most of their bytes
    /// (dialplan variables, device states, the other parties' channels) never reach 201.
    @Test func filtersKeepFewBytesAndEveryCall() throws {
        var before = 0, after = 0, events = 0
        for name in Self.recorded {
            let stream = try Self.stream(name)
            let devices = AMIDeviceMatcher.defaultDevices(forNumber: "201")
            let filtered = Self.filter(for: devices).apply(to: stream)
            before += stream.count
            after += filtered.count
            events += Self.callEvents(filtered, devices: devices).count
        }
        #expect(events == 11, "the four calls' events all arrive")
        #expect(after * 3 < before, "filtered \(after) of \(before) bytes")
    }

    /// Asterisk's rules as written in manager.c, on small cases: includes, excludes, both, mask.
    @Test func asteriskFilterRules() {
        let newchannel = "Event: Newchannel\r\nPrivilege: call,all\r\nChannel: PJSIP/201-00000001"
        let varset = "Event: VarSet\r\nPrivilege: dialplan,all\r\nChannel: PJSIP/201-00000001"
        let other = "Event: Newchannel\r\nPrivilege: call,all\r\nChannel: DAHDI/1-1"
        let none = AsteriskSessionFilter(mask: "on", filters: [])
        #expect([newchannel, varset, other].allSatisfy(none.delivers))
        let masked = AsteriskSessionFilter(mask: "call", filters: [])
        #expect(masked.delivers(newchannel) && !masked.delivers(varset) && masked.delivers(other))
        let include = AsteriskSessionFilter(mask: "on", filters: ["PJSIP/201-"])
        #expect(include.delivers(newchannel) && include.delivers(varset) && !include.delivers(other))
        let exclude = AsteriskSessionFilter(mask: "on", filters: ["!Channel: DAHDI.*"])
        #expect(exclude.delivers(newchannel) && !exclude.delivers(other))
        let both = AsteriskSessionFilter(mask: "on", filters: ["Event: Newchannel", "!DAHDI"])
        #expect(both.delivers(newchannel) && !both.delivers(varset) && !both.delivers(other))
        #expect(none.delivers("Response: Success\r\nActionID: 1") && include.delivers("Event: CoreShowChannel\r\nActionID: 1"))
    }

    static func filter(_ subscription: AMIEventSubscription) -> AsteriskSessionFilter {
        AsteriskSessionFilter(mask: "on", filters: [subscription.filter ?? ""])
    }

    /// Device names become patterns that match them in any case and nothing else special.
    @Test func devicePatternsAreCaselessAndEscaped() {
        let subscription = AMIEventSubscription(devices: ["PJSIP/201", "Local/2.01@from-queue", "nodevice"])
        #expect(subscription.filter == "^Event: Newchannel[^A-Za-z0-9]|ActionID: [cC][aA][lL][lL][pP][oO][pP]-[dD][iI][aA][lL]-"
            + "|[lL][oO][cC][aA][lL]/2\\.01@[fF][rR][oO][mM]-[qQ][uU][eE][uU][eE]-|[pP][jJ][sS][iI][pP]/201-")
        // A failed click-to-dial names the device without a channel suffix: its ActionID lets it through.
        #expect(Self.filter(subscription).delivers("Event: OriginateResponse\r\nActionID: callpop-dial-3\r\nResponse: Failure\r\nChannel: PJSIP/201"))
        #expect(AMIEventSubscription(devices: ["nodevice"]).filter == nil)
        let filter = Self.filter(subscription)
        #expect(filter.delivers("Event: Hangup\r\nChannel: pjsip/201-0000000a"))
        #expect(filter.delivers("Event: Hangup\r\nChannel: Local/2.01@from-queue-0001;1"))
        #expect(!filter.delivers("Event: Hangup\r\nChannel: Local/2x01@from-queue-0001;1"))
        #expect(!filter.delivers("Event: NewchannelX\r\nChannel: PJSIP/202-1"))
    }
}
