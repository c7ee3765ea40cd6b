import Testing
@testable import CallPopDBus

@Suite(.enabled(if: TestEnvironment.canRunBusTests, "needs dbus-daemon"), .timeLimit(.minutes(1)))
struct DBusConnectionTests {
    /// Every value type, nested and empty, survives a trip through a real bus
    /// and back: what we encode is what libdbus decodes on the other side.
    @Test func valuesRoundTripThroughTheBus() async throws {
        try await withTestBus { bus in
            let server = try await DBusConnection.connect(to: .address(bus.address))
            let client = try await DBusConnection.connect(to: .address(bus.address))
            server.export(path: "/test/Echo", introspectionXML: "<node/>") { call in
                call.methodReturn(call.arguments)
            }
            let values: [DBusValue] = [
                .byte(255), .bool(true), .bool(false), .int16(-2), .uint16(65535), .int32(-70000), .uint32(4_000_000_000),
                .int64(-1 << 40), .uint64(1 << 63), .double(-0.5), .string("Zoë <&> \"'"), .string(""),
                .objectPath("/a/b_c"), .signature("a{sv}"),
                .strings(["x", "y"]), .array(elementSignature: "s", []),
                .vardict(["urgency": .byte(2), "nested": .vardict(["k": .strings([])])]),
                .dictionary(keySignature: "u", valueSignature: "s", [DBusDictionaryEntry(key: .uint32(7), value: .string("seven"))]),
                .variant(.structure([.int32(1), .string("two")])),
                .array(elementSignature: "(is)", [.structure([.int32(3), .string("three")])]),
            ]
            let reply = try await client.call(
                .methodCall(destination: server.uniqueName, path: "/test/Echo", interface: "test.Echo", member: "Echo",
                            arguments: values))
            #expect(reply.kind == .methodReturn)
            #expect(reply.arguments == values)
            #expect(reply.sender == server.uniqueName)
        }
    }

    /// Names libdbus would abort the process for are refused with an error instead.
    @Test func invalidNamesAreErrorsNotCrashes() async throws {
        try await withTestBus { bus in
            let client = try await DBusConnection.connect(to: .address(bus.address))
            let bad: [DBusMessage] = [
                .methodCall(destination: "not a name", path: "/x", interface: "a.b", member: "C"),
                .methodCall(destination: "a.b", path: "no-slash", interface: "a.b", member: "C"),
                .methodCall(destination: "a.b", path: "/x", interface: "nodots", member: "C"),
                .methodCall(destination: "a.b", path: "/x", interface: "a.b", member: "with space"),
                .methodCall(destination: "a.b", path: "/x", interface: "a.b", member: "C", arguments: [.string("nul\u{0}inside")]),
                .methodCall(destination: "a.b", path: "/x", interface: "a.b", member: "C", arguments: [.objectPath("bad path")]),
                .methodCall(destination: "a.b", path: "/x", interface: "a.b", member: "C",
                            arguments: [.array(elementSignature: "s", [.uint32(1)])]),
            ]
            for message in bad {
                let error = await #expect(throws: DBusError.self) { try await client.call(message) }
                #expect(error?.code == .invalidArgument)
            }
        }
    }

    /// A call to a name nobody owns fails with the bus's error name and message.
    @Test func unknownDestinationIsARemoteError() async throws {
        try await withTestBus { bus in
            let client = try await DBusConnection.connect(to: .address(bus.address))
            let error = await #expect(throws: DBusError.self) {
                try await client.call(.methodCall(destination: "org.example.Nobody", path: "/", interface: "a.b", member: "C"))
            }
            #expect(error?.code == .remote)
            #expect(error?.name == DBusError.Names.serviceUnknown)
            #expect(error?.message.contains("org.example.Nobody") == true)
            #expect(try await client.nameOwner("org.example.Nobody") == nil)
        }
    }

    /// Introspection of the object and its ancestors, answered by the connection.
    @Test func introspectionCoversAncestors() async throws {
        try await withTestBus { bus in
            let server = try await DBusConnection.connect(to: .address(bus.address))
            let client = try await DBusConnection.connect(to: .address(bus.address))
            server.export(path: "/io/github/x", introspectionXML: "<node><!-- x --></node>") { _ in nil }
            func introspect(_ path: String) async throws -> String {
                try await client.call(
                    .methodCall(destination: server.uniqueName, path: path,
                                interface: "org.freedesktop.DBus.Introspectable", member: "Introspect")
                ).arguments.first?.string ?? ""
            }
            let own = try await introspect("/io/github/x")
            #expect(own == "<node><!-- x --></node>")
            #expect(try await introspect("/io").contains("<node name=\"github\"/>"))
            #expect(try await introspect("/").contains("<node name=\"io\"/>"))
        }
    }

    /// When the bus goes away, calls fail promptly instead of hanging, and signal streams end.
    @Test func lostBusFailsCallsAndEndsStreams() async throws {
        let bus = try TestBus()
        let client = try await DBusConnection.connect(to: .address(bus.address))
        let stream = try await client.signals(matching: DBusMatchRule(interface: "a.b", member: "C"))
        bus.stop()
        let ended = try await within(.seconds(5), "the stream to end") {
            for await _ in stream {}
            return true
        }
        #expect(ended)
        await #expect(throws: DBusError.self) {
            try await client.call(.methodCall(destination: "a.b", path: "/", interface: "a.b", member: "C"))
        }
    }

    /// libdbus' reply timeout runs on our poll loop: a peer that never
    /// answers gives a timeout error, on time.
    @Test func unansweredCallTimesOut() async throws {
        try await withTestBus { bus in
            let silent = try await DBusConnection.connect(to: .address(bus.address))
            silent.export(path: "/test/Silent", introspectionXML: "<node/>") { _ in nil }
            let client = try await DBusConnection.connect(to: .address(bus.address))
            let start = ContinuousClock.now
            let error = await #expect(throws: DBusError.self) {
                try await client.call(
                    .methodCall(destination: silent.uniqueName, path: "/test/Silent", interface: "a.b", member: "C"),
                    timeout: .milliseconds(300))
            }
            let waited = ContinuousClock.now - start
            #expect(error?.code == .timeout)
            #expect(error?.name == DBusError.Names.noReply)
            #expect(waited >= .milliseconds(300))
            #expect(waited < .seconds(3))
        }
    }

    /// No bus at the address: a connection error that says so.
    @Test func connectingToNoBusFails() async throws {
        let error = await #expect(throws: DBusError.self) {
            try await DBusConnection.connect(to: .address("unix:path=/nonexistent/callpop/bus"))
        }
        #expect(error?.code == .connectionFailed)
        #expect(error?.message.hasPrefix("cannot connect to the D-Bus session bus: ") == true)
    }
}
