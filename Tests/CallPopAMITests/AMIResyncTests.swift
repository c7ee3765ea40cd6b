import CallPopAMI
import CallPopCore
import CallPopTestSupport
import Testing

/// `AMICallMapper.resync` on its own: what a `CoreShowChannels` snapshot adds, keeps and ends.
@Suite struct AMIResyncTests {
    static func mapper() -> AMICallMapper {
        AMICallMapper(matcher: AMIDeviceMatcher(devices: AMIDeviceMatcher.defaultDevices(forNumber: "201")))
    }

    static func recorded(upTo predicate: (AMIMessage) -> Bool) throws -> [AMIMessage] {
        let messages = AMIStreams.messages(try AMIStreams.recorded("inbound-answered"))
        guard let index = messages.firstIndex(where: predicate) else { return messages }
        return Array(messages[...index])
    }

    static func ringing201(_ message: AMIMessage) -> Bool {
        message.isEvent("Newstate") && message["Channel"] == "PJSIP/201-00000001"
            && message["ChannelStateDesc"] == "Ringing"
    }

    @Test func unseenRingingCallRingsFromTheSnapshot() throws {
        var mapper = Self.mapper()
        mapper.beginResync()
        let snapshot = AMIStreams.messages(try AMIStreams.handwritten("inbound-answered-snapshot-ringing"))
        let events = mapper.resync(snapshot)
        // Nothing seen before: the user's number and name come from the snapshot entry itself.
        #expect(events == [Expected.inboundAnswered[0]])
    }

    @Test func unseenAnsweredCallReportsAnsweredOnly() throws {
        var mapper = Self.mapper()
        mapper.beginResync()
        let snapshot = AMIStreams.messages(try AMIStreams.handwritten("inbound-answered-snapshot-up"))
        #expect(mapper.resync(snapshot) == [Expected.inboundAnswered[1]])
    }

    @Test func callThatEndedWhileAwayIsEnded() throws {
        var mapper = Self.mapper()
        for message in try Self.recorded(upTo: Self.ringing201) { _ = mapper.handle(message) }
        mapper.beginResync()
        #expect(mapper.resync([]) == [Expected.inboundAnswered[2]])
        #expect(mapper.trackedChannelCount == 0)
        // A stale snapshot listing it later cannot bring it back.
        mapper.beginResync()
        let snapshot = AMIStreams.messages(try AMIStreams.handwritten("inbound-answered-snapshot-ringing"))
        #expect(mapper.resync(snapshot) == [])
    }

    @Test func channelsNewerThanTheSnapshotAreKept() throws {
        var mapper = Self.mapper()
        mapper.beginResync()
        // The phone starts ringing while the list is being sent: live events track it after the mark.
        var live: [CallEvent] = []
        for message in try Self.recorded(upTo: Self.ringing201) { live += mapper.handle(message) }
        #expect(live == [Expected.inboundAnswered[0]])
        #expect(mapper.resync([]) == [], "not ended just because the older snapshot lacks it")
        #expect(mapper.trackedChannelCount == 1)
    }

    @Test func seenStatesAreNotRepeated() throws {
        var mapper = Self.mapper()
        for message in try Self.recorded(upTo: Self.ringing201) { _ = mapper.handle(message) }
        mapper.beginResync()
        let ringing = AMIStreams.messages(try AMIStreams.handwritten("inbound-answered-snapshot-ringing"))
        #expect(mapper.resync(ringing) == [])
        mapper.beginResync()
        let up = AMIStreams.messages(try AMIStreams.handwritten("inbound-answered-snapshot-up"))
        #expect(mapper.resync(up) == [Expected.inboundAnswered[1]])
        mapper.beginResync()
        #expect(mapper.resync(up) == [])
    }
}
