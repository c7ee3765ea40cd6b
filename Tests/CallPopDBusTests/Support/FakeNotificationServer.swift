@testable import CallPopDBus

/// A notification server for tests: owns `org.freedesktop.Notifications` on a
/// test bus, records every call with all its arguments, and emits the
/// server's signals on demand.
///
/// Written on our own `DBusConnection` (not Python) so the tests need no
/// packages beyond `dbus-daemon`; the wire format is checked independently
/// against `dbus-send` in `AgentBusTests`.
actor FakeNotificationServer {
    struct Notify: Sendable, Hashable {
        var appName: String
        var replacesID: UInt32
        var icon: String
        var summary: String
        var body: String
        var actions: [String]
        var hints: [DBusDictionaryEntry]
        var expireTimeout: Int32
        /// The id this server answered with.
        var id: UInt32
    }

    enum Call: Sendable, Hashable {
        case notify(Notify)
        case close(UInt32)
    }

    let connection: DBusConnection
    private let capabilities: [String]
    /// What `GetServerInformation` answers: name, vendor, version, spec version.
    private let information: [String]
    /// When set, `Notify` is recorded but never answered, like a hung server.
    private let answersNotify: Bool
    private(set) var calls: [Call] = []
    private var nextID: UInt32 = 1
    /// Ticks once per recorded call, for waiting without polling.
    private nonisolated let recorded: AsyncStream<Void>
    private let recordedSink: AsyncStream<Void>.Continuation

    private init(connection: DBusConnection, capabilities: [String], information: [String], answersNotify: Bool) {
        self.connection = connection
        self.capabilities = capabilities
        self.information = information
        self.answersNotify = answersNotify
        (recorded, recordedSink) = AsyncStream.makeStream(of: Void.self)
    }

    /// Starts a server on `bus` with these capabilities.
    static func start(
        on bus: TestBus, capabilities: [String] = ["actions", "body", "body-markup", "body-hyperlinks"],
        information: [String] = ["fake", "callpop", "1", "1.2"], answersNotify: Bool = true
    ) async throws -> FakeNotificationServer {
        let connection = try await DBusConnection.connect(to: .address(bus.address))
        let server = FakeNotificationServer(
            connection: connection, capabilities: capabilities, information: information, answersNotify: answersNotify)
        connection.export(path: NotificationsAPI.path, introspectionXML: "<node/>") { call in
            await server.handle(call)
        }
        let result = try await connection.requestName(NotificationsAPI.busName)
        guard result == .primaryOwner else { throw TestBus.StartError(description: "cannot own the notification name") }
        return server
    }

    private func handle(_ call: DBusMessage) -> DBusMessage? {
        switch call.member {
        case "GetCapabilities":
            return call.methodReturn([.strings(capabilities)])
        case "GetServerInformation":
            return call.methodReturn(information.map(DBusValue.string))
        case "Notify":
            let a = call.arguments
            guard call.signature == "susssasa{sv}i", case .uint32(let replaces) = a[1], case .int32(let timeout) = a[7]
            else { return call.errorReply(name: DBusError.Names.invalidArgs, message: "bad Notify: \(call.signature)") }
            let id: UInt32
            if replaces != 0 {
                id = replaces
            } else {
                id = nextID
                nextID += 1
            }
            record(
                .notify(
                    Notify(
                        appName: a[0].string ?? "", replacesID: replaces, icon: a[2].string ?? "",
                        summary: a[3].string ?? "", body: a[4].string ?? "",
                        actions: (a[5].array ?? []).compactMap(\.string), hints: a[6].dictionary ?? [],
                        expireTimeout: timeout, id: id)))
            return answersNotify ? call.methodReturn([.uint32(id)]) : nil
        case "CloseNotification":
            guard let id = call.arguments.first?.uint32 else {
                return call.errorReply(name: DBusError.Names.invalidArgs, message: "bad CloseNotification")
            }
            record(.close(id))
            // As the specification says: closing emits NotificationClosed, reason 3.
            emitClosed(id: id, reason: 3)
            return call.methodReturn()
        default:
            return call.errorReply(name: DBusError.Names.unknownMethod, message: "unknown method")
        }
    }

    private func record(_ call: Call) {
        calls.append(call)
        recordedSink.yield()
    }

    /// The calls once at least `count` have arrived, failing after a timeout.
    func waitForCalls(_ count: Int, _ what: String) async throws -> [Call] {
        try await within(.seconds(5), what) {
            if await self.calls.count >= count { return await self.calls }
            for await _ in self.recorded where await self.calls.count >= count {
                return await self.calls
            }
            throw TestBus.StartError(description: "the server stopped before \(what)")
        }
    }

    /// Emits `ActionInvoked(id, key)` as the user's click would.
    func emitActionInvoked(id: UInt32, key: String) {
        connection.send(
            .signal(
                path: NotificationsAPI.path, interface: NotificationsAPI.interface, member: "ActionInvoked",
                arguments: [.uint32(id), .string(key)]))
    }

    /// Emits `ActivationToken(id, token)`, as a 1.2 server does just before `ActionInvoked`.
    func emitActivationToken(id: UInt32, token: String) {
        connection.send(
            .signal(
                path: NotificationsAPI.path, interface: NotificationsAPI.interface, member: "ActivationToken",
                arguments: [.uint32(id), .string(token)]))
    }

    /// The notifications shown so far (`Notify` calls), once one with `summary` is among them.
    func waitForNotify(summary: String, timeout: Duration = .seconds(10)) async throws -> [Notify] {
        try await within(timeout, "a notification \"\(summary)\"") {
            while true {
                let shown = await self.calls.compactMap(\.notify)
                if shown.contains(where: { $0.summary == summary }) { return shown }
                try await Task.sleep(for: .milliseconds(20))
            }
        }
    }

    /// Emits `NotificationClosed(id, reason)`; 2 = dismissed by the user.
    func emitClosed(id: UInt32, reason: UInt32) {
        connection.send(
            .signal(
                path: NotificationsAPI.path, interface: NotificationsAPI.interface, member: "NotificationClosed",
                arguments: [.uint32(id), .uint32(reason)]))
    }

    /// Leaves the bus, as a server that quits.
    func quit() {
        connection.close()
    }
}

extension FakeNotificationServer.Call {
    var notify: FakeNotificationServer.Notify? {
        if case .notify(let notify) = self { notify } else { nil }
    }
}
