import CallPopCore

/// Asks the notification server who it is and what it can show, once: for `callpop doctor`.
public enum NotificationServerQuery {
    /// The server's name, version and capabilities on `connection` (at `destination`, the
    /// well-known name or a unique one), or nil when none answers.
    public static func ask(_ connection: DBusConnection, destination given: String? = nil) async -> ServerCapabilities? {
        let destination = given ?? NotificationsAPI.busName
        let asked = NotificationsAPI.call("GetCapabilities", destination: destination)
        guard let reply = try? await connection.call(asked, timeout: .seconds(5)) else { return nil }
        var capabilities = ServerCapabilities((reply.arguments.first?.array ?? []).compactMap(\.string))
        // Name and version: how it shows actions (dunst, mako: in a menu), for doctor and the log.
        let information = NotificationsAPI.call("GetServerInformation", destination: destination)
        if let info = try? await connection.call(information, timeout: .seconds(5)),
           info.arguments.count >= 3
        {
            capabilities.serverName = UntrustedText.clean(info.arguments[0].string ?? "", for: .logLine)
            capabilities.serverVersion = UntrustedText.clean(info.arguments[2].string ?? "", for: .logLine)
        }
        return capabilities
    }
}
