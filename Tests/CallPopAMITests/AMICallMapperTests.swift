import CallPopAMI
import CallPopCore
import CallPopTestSupport
import Testing

/// Call events derived from the recorded Asterisk 22 scenarios and hand-written streams.
@Suite struct AMICallMapperTests {
    /// Each recorded scenario gives exactly the expected events, field by field.
    @Test(arguments: [
        ("inbound-answered", Expected.inboundAnswered),
        ("inbound-missed", Expected.inboundMissed),
        ("outbound-answered", Expected.outboundAnswered),
        ("internal-colleague", Expected.internalColleague),
    ])
    func recordedScenario(scenario: String, expected: [CallEvent]) throws {
        let events = AMIStreams.callEvents(AMIStreams.messages(try AMIStreams.recorded(scenario)))
        #expect(events == expected)
    }

    /// The same internal call seen by 202, the colleague who places it.
    @Test func internalColleagueFromTheCallersSide() throws {
        let events = AMIStreams.callEvents(
            AMIStreams.messages(try AMIStreams.recorded("internal-colleague")), devices: ["PJSIP/202"])
        #expect(events == Expected.call(
            "1795593652.0", .outgoing, remote: "201", name: "Alice Agent", called: "201",
            channel: "PJSIP/202-00000000", colleague: true, states: [.ringing, .answered, .ended],
            user: ("202", "Bob Builder")))
    }

    /// Event names compare ignoring case, as Asterisk's own parser does: an all-capitals
    /// copy of a recording gives the same calls (and a mapper that skipped them would give none).
    @Test func eventNamesIgnoreCase() throws {
        let messages = AMIStreams.messages(try AMIStreams.recorded("inbound-answered"))
        let shouted = messages.map { message in
            AMIMessage(message.fields.map { $0.key == "Event" ? .init("EVENT", $0.value.uppercased()) : $0 })
        }
        #expect(shouted.contains { $0.event == "DIALBEGIN" })
        #expect(AMIStreams.callEvents(shouted) == Expected.inboundAnswered)
    }

    /// A configured trunk turns the unknown colleague flag into a definite `false`.
    @Test func configuredTrunkMeansNotAColleague() throws {
        let inbound = AMIStreams.callEvents(
            AMIStreams.messages(try AMIStreams.recorded("inbound-answered")), trunks: ["trunk"])
        #expect(inbound.map(\.isColleague) == [false, false, false])
        let outbound = AMIStreams.callEvents(
            AMIStreams.messages(try AMIStreams.recorded("outbound-answered")), trunks: ["trunk"])
        #expect(outbound.map(\.isColleague) == [false, false, false])
    }

    @Test func otherUsersCallsAreIgnored() throws {
        let events = AMIStreams.callEvents(
            AMIStreams.messages(try AMIStreams.recorded("inbound-answered")), devices: ["PJSIP/203"])
        #expect(events.isEmpty)
    }

    /// Hand-written: a ring group where 202 answers; 201 rang, and must never see `answered`.
    @Test func ringGroupAnsweredElsewhere() throws {
        let messages = AMIStreams.messages(try AMIStreams.handwritten("ringgroup-answered-elsewhere"))
        #expect(AMIStreams.callEvents(messages) == Expected.call(
            "1795594000.0", .incoming, remote: "+441234567890", name: "John Doe", called: "5550199",
            channel: "PJSIP/201-00000011", states: [.ringing, .ended], answeredElsewhere: true))
        #expect(AMIStreams.callEvents(messages, devices: ["PJSIP/202"]) == Expected.call(
            "1795594000.0", .incoming, remote: "+441234567890", name: "John Doe", called: "5550199",
            channel: "PJSIP/202-00000012", states: [.ringing, .answered, .ended], user: ("202", "Bob Builder")))
    }

    /// Hand-written: a ringall queue that 201 answers; 202 lost it (cause 26).
    @Test func queueAnsweredByTheUser() throws {
        let messages = AMIStreams.messages(try AMIStreams.handwritten("queue-answered"))
        #expect(AMIStreams.callEvents(messages) == Expected.call(
            "1795594100.0", .incoming, remote: "+15551234567", name: "", called: "5550150",
            channel: "PJSIP/201-00000021", states: [.ringing, .answered, .ended]))
        #expect(AMIStreams.callEvents(messages, devices: ["PJSIP/202"]) == Expected.call(
            "1795594100.0", .incoming, remote: "+15551234567", name: "", called: "5550150",
            channel: "PJSIP/202-00000022", states: [.ringing, .ended], answeredElsewhere: true,
            user: ("202", "Bob Builder")))
    }

    /// Hand-written, FreePBX style: queue members are Local channels that dial the phones. Each
    /// user sees the call once, on the phone's leg, not again on the Local half.
    @Test func queueWithLocalMembers() throws {
        let messages = AMIStreams.messages(try AMIStreams.handwritten("queue-local-members"))
        #expect(AMIStreams.callEvents(messages) == Expected.call(
            "1795594200.0", .incoming, remote: "+15551234567", name: "", called: "5550150",
            channel: "PJSIP/201-00000033", states: [.ringing, .answered, .ended]))
        #expect(AMIStreams.callEvents(messages, devices: AMIDeviceMatcher.defaultDevices(forNumber: "202")) == Expected.call(
            "1795594200.0", .incoming, remote: "+15551234567", name: "", called: "5550150",
            channel: "PJSIP/202-00000034", states: [.ringing, .ended], answeredElsewhere: true,
            user: ("202", "Bob Builder")))
    }

    /// The `eventfilter`s that docs/pbx/asterisk.md gives the PBX admin, applied as Asterisk
    /// does (a regex searched in the whole event): the user's events are unchanged.
    @Test(arguments: [
        "asterisk-22/inbound-answered", "asterisk-22/inbound-missed", "asterisk-22/outbound-answered",
        "asterisk-22/internal-colleague", "ami-handwritten/ringgroup-answered-elsewhere",
        "ami-handwritten/queue-answered", "ami-handwritten/queue-local-members",
    ])
    func guideEventFiltersKeepEverythingNeeded(stream: String) throws {
        let bytes = stream.hasPrefix("asterisk-22/")
            ? try AMIStreams.recorded(String(stream.dropFirst("asterisk-22/".count)))
            : try AMIStreams.handwritten(String(stream.dropFirst("ami-handwritten/".count)))
        let messages = AMIStreams.messages(bytes)
        let filters = [try Regex("Channel: (PJSIP|SIP|IAX2)/201-"), try Regex("Channel: Local/201@")]
        let filtered = messages.filter { message in
            let text = message.fields.map { "\($0.key): \($0.value)\r\n" }.joined()
            return filters.contains { text.contains($0) }
        }
        #expect(filtered.count < messages.count)
        #expect(AMIStreams.callEvents(filtered) == AMIStreams.callEvents(messages))
        #expect(!AMIStreams.callEvents(filtered).isEmpty)
    }

    /// Caller ID is hostile: control characters never reach a CallEvent.
    @Test func controlCharactersAreStripped() {
        var mapper = AMICallMapper(matcher: AMIDeviceMatcher(devices: ["PJSIP/201"]))
        let dial = AMIMessage([
            "Event": "DialBegin", "Channel": "PJSIP/trunk-1", "CallerIDNum": "+44\u{1b}[31m1",
            "CallerIDName": "Evil\u{7}\tName", "Exten": "555", "Uniqueid": "1.0", "Linkedid": "1.0",
            "DestChannel": "PJSIP/201-2", "DestChannelStateDesc": "Ringing", "DestConnectedLineNum": "<unknown>",
            "DestUniqueid": "1.1", "DestLinkedid": "1.0",
        ])
        let events = mapper.handle(dial)
        #expect(events.map(\.remoteNumber) == ["+44[31m1"])
        #expect(events.map(\.remoteName) == ["EvilName"])
    }

    /// Local channels: only the `;1` half is the user's leg; the `;2` half dialling the phone is not an outgoing call.
    @Test func localChannelHalves() {
        let matcher = AMIDeviceMatcher(devices: AMIDeviceMatcher.defaultDevices(forNumber: "201"))
        #expect(matcher.isUserChannel("Local/201@from-queue-00000001;1"))
        #expect(!matcher.isUserChannel("Local/201@from-queue-00000001;2"))
        #expect(matcher.isUserChannel("PJSIP/201-0000000a"))
        #expect(matcher.isUserChannel("SIP/201-0000000a"))
        #expect(matcher.isUserChannel("IAX2/201-1234"))
        #expect(!matcher.isUserChannel("PJSIP/2010-0000000a"))
        #expect(!matcher.isUserChannel("PJSIP/201-mobile-0000000a"), "another endpoint, named 201-mobile")
        #expect(AMIDeviceMatcher(devices: ["PJSIP/201-mobile"]).isUserChannel("PJSIP/201-mobile-0000000a"))
        #expect(!matcher.isUserChannel("PJSIP/201-"))
        #expect(!matcher.isUserChannel("PJSIP/trunk-00000000"))
        #expect(matcher.isColleague(channel: "PJSIP/202-00000000", number: "202") == true)
        #expect(matcher.isColleague(channel: "PJSIP/trunk-00000000", number: "+441234567890") == nil)
        #expect(matcher.isColleague(channel: "Local/202@internal-0001;2", number: "202") == nil)
        #expect(AMIDeviceMatcher(devices: [], trunks: ["Trunk"])
            .isColleague(channel: "PJSIP/trunk-00000000", number: "+441234567890") == false)
    }

    /// Memory stays bounded: channels that never hang up are evicted beyond the cap.
    @Test func trackedChannelsAreCapped() {
        var mapper = AMICallMapper(matcher: AMIDeviceMatcher(devices: ["PJSIP/201"]), maxTrackedChannels: 8)
        for index in 0..<1000 {
            _ = mapper.handle(AMIMessage([
                "Event": "Newchannel", "Channel": "PJSIP/201-\(index)", "Uniqueid": "u\(index)", "Linkedid": "u\(index)",
            ]))
        }
        #expect(mapper.trackedChannelCount == 8)
    }

    @Test func hungUpChannelsAreForgotten() throws {
        var mapper = AMICallMapper(matcher: AMIDeviceMatcher(devices: ["PJSIP/201"]))
        var most = 0
        for message in AMIStreams.messages(try AMIStreams.recorded("inbound-answered")) {
            _ = mapper.handle(message)
            most = max(most, mapper.trackedChannelCount)
        }
        #expect(most == 1)
        #expect(mapper.trackedChannelCount == 0)
    }
}
