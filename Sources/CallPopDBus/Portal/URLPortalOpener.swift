private import Glibc

/// Opens URLs through the `org.freedesktop.portal.OpenURI` portal: the way
/// out of a Flatpak sandbox, and an alternative to `xdg-open` elsewhere.
///
/// A failed open is thrown, never swallowed: the portal's error reply, a
/// `Response` with a non-zero code, or no response in time.
public struct URLPortalOpener: Sendable {
    private let connection: DBusConnection
    private let responseTimeout: Duration

    static let busName = "org.freedesktop.portal.Desktop"
    static let path = "/org/freedesktop/portal/desktop"
    static let interface = "org.freedesktop.portal.OpenURI"

    /// An opener over `connection`. `responseTimeout` bounds the wait for the
    /// portal's answer, which may include the user picking an application.
    public init(connection: DBusConnection, responseTimeout: Duration = .seconds(120)) {
        self.connection = connection
        self.responseTimeout = responseTimeout
    }

    /// Whether this process runs inside a Flatpak sandbox, where the portal is the only way out.
    public static var isSandboxed: Bool {
        access("/.flatpak-info", F_OK) == 0 || getenv("FLATPAK_ID") != nil
    }

    /// Opens `url` with the user's default handler, and returns when the portal says it did.
    /// - Throws: `DBusError` saying what failed.
    public func open(_ url: String) async throws(DBusError) {
        // Subscribe to the request's Response before calling, at the path the
        // portal will use for our handle token, so the answer cannot be missed.
        let token = "callpop_" + String(UInt64.random(in: 0...UInt64.max), radix: 16)
        let sender = String(connection.uniqueName.dropFirst().map { $0 == "." ? "_" : $0 })
        let requestPath = "/org/freedesktop/portal/desktop/request/\(sender)/\(token)"
        let responses: DBusSignals
        do {
            responses = try await connection.signals(
                matching: DBusMatchRule(
                    path: requestPath, interface: "org.freedesktop.portal.Request", member: "Response"))
        } catch {
            throw DBusError(.notRunning, "cannot listen for the portal's answer: \(error)")
        }
        let handle: String
        do {
            let reply = try await connection.call(
                .methodCall(
                    destination: Self.busName, path: Self.path, interface: Self.interface, member: "OpenURI",
                    arguments: [.string(""), .string(url), .vardict(["handle_token": .string(token)])]))
            handle = reply.arguments.first?.string ?? requestPath
        } catch where error.name == DBusError.Names.serviceUnknown {
            throw DBusError(
                .notRunning,
                "the desktop portal (\(Self.busName)) is not running, so \(url) cannot be opened through it")
        } catch {
            throw DBusError(.refused, "the portal refused to open \(url): \(error.description)")
        }
        // Older portals ignore handle_token; then the handle names the request.
        guard handle == requestPath else {
            throw DBusError(
                .refused, "the portal answered on an unexpected request path \(handle); it is too old to be used")
        }
        let code = await Self.firstResponse(responses, within: responseTimeout)
        switch code {
        case 0?: return
        case 1?: throw DBusError(.cancelled, "opening \(url) was cancelled in the portal's dialog")
        case let other?: throw DBusError(.refused, "the portal failed to open \(url) (response \(other))")
        case nil: throw DBusError(.timeout, "the portal did not say whether it opened \(url)")
        }
    }

    /// The response code of the first `Response` signal, or `nil` on timeout.
    private static func firstResponse(_ responses: DBusSignals, within timeout: Duration) async -> UInt32? {
        await withTaskGroup(of: UInt32?.self) { group in
            group.addTask {
                for await signal in responses {
                    if let code = signal.arguments.first?.uint32 { return code }
                }
                return nil
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
    }
}
