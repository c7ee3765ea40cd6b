import Foundation
import Testing
@testable import CallPopDBus

/// A stand-in for xdg-desktop-portal's OpenURI on a test bus: replies with
/// the request handle, then emits `Response(code)` on it, as the portal does.
actor FakePortal {
    private(set) var opened: [String] = []

    static func start(on bus: TestBus, response: UInt32?) async throws -> (FakePortal, DBusConnection) {
        let connection = try await DBusConnection.connect(to: .address(bus.address))
        let portal = FakePortal()
        connection.export(path: URLPortalOpener.path, introspectionXML: "<node/>") { call in
            guard call.member == "OpenURI", call.signature == "ssa{sv}", let sender = call.sender else {
                return call.errorReply(name: DBusError.Names.invalidArgs, message: "bad OpenURI")
            }
            await portal.record(call.arguments[1].string ?? "")
            guard let response else {
                return call.errorReply(name: "org.freedesktop.portal.Error.NotAllowed", message: "not allowed here")
            }
            let token = call.arguments[2].dictionary?.first { $0.key == .string("handle_token") }?.value.string ?? ""
            let handle = "/org/freedesktop/portal/desktop/request/"
                + sender.dropFirst().replacingOccurrences(of: ".", with: "_") + "/" + token
            connection.send(call.methodReturn([.objectPath(handle)]))
            connection.send(.signal(path: handle, interface: "org.freedesktop.portal.Request", member: "Response",
                                    arguments: [.uint32(response), .vardict([:])], destination: sender))
            return nil
        }
        _ = try await connection.requestName(URLPortalOpener.busName)
        return (portal, connection)
    }

    private func record(_ url: String) {
        opened.append(url)
    }
}

@Suite(.enabled(if: TestEnvironment.canRunBusTests, "needs dbus-daemon"), .timeLimit(.minutes(1)))
struct URLPortalOpenerTests {
    static let url = "https://crm.example.com/contact?n=%2B442071234567"

    @Test func opensThroughThePortal() async throws {
        try await withTestBus { bus in
            let (portal, _) = try await FakePortal.start(on: bus, response: 0)
            let opener = URLPortalOpener(connection: try await DBusConnection.connect(to: .address(bus.address)))
            try await opener.open(Self.url)
            #expect(await portal.opened == [Self.url])
        }
    }

    @Test func failedResponseIsReported() async throws {
        try await withTestBus { bus in
            _ = try await FakePortal.start(on: bus, response: 2)
            let opener = URLPortalOpener(connection: try await DBusConnection.connect(to: .address(bus.address)))
            let error = await #expect(throws: DBusError.self) { try await opener.open(Self.url) }
            #expect(error == DBusError(.refused, "the portal failed to open \(Self.url) (response 2)"))
        }
    }

    @Test func errorReplyIsReported() async throws {
        try await withTestBus { bus in
            _ = try await FakePortal.start(on: bus, response: nil)
            let opener = URLPortalOpener(connection: try await DBusConnection.connect(to: .address(bus.address)))
            let error = await #expect(throws: DBusError.self) { try await opener.open(Self.url) }
            #expect(error?.code == .refused)
            #expect(error?.message.contains("not allowed here") == true)
        }
    }

    @Test func missingPortalIsReported() async throws {
        try await withTestBus { bus in
            let opener = URLPortalOpener(connection: try await DBusConnection.connect(to: .address(bus.address)))
            let error = await #expect(throws: DBusError.self) { try await opener.open(Self.url) }
            #expect(error?.code == .notRunning)
        }
    }
}
