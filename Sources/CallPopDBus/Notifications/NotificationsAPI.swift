/// Names of the Desktop Notifications Specification 1.2 on the bus.
enum NotificationsAPI {
    static let busName = "org.freedesktop.Notifications"
    static let path = "/org/freedesktop/Notifications"
    static let interface = "org.freedesktop.Notifications"

    /// A method call to the notification server.
    static func call(_ member: String, _ arguments: [DBusValue] = [], destination: String = busName) -> DBusMessage {
        .methodCall(destination: destination, path: path, interface: interface, member: member, arguments: arguments)
    }
}
