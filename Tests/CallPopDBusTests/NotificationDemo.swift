import Foundation
import Logging
import Testing
@testable import CallPopDBus

/// Shows a sample call notification on the session bus, for
/// `scripts/notification-screenshot.sh`. Off unless that script turns it on.
@Test(.enabled(if: ProcessInfo.processInfo.environment["CALLPOP_NOTIFICATION_DEMO"] == "1",
               "run by scripts/notification-screenshot.sh"))
func showSampleNotification() async throws {
    let connection = try await DBusConnection.connect(to: .session)
    // Wait, without polling, for the notification daemon the script started.
    let owners = try await connection.signals(
        matching: DBusMatchRule(sender: "org.freedesktop.DBus", interface: "org.freedesktop.DBus",
                                member: "NameOwnerChanged", arg0: NotificationsAPI.busName))
    if try await connection.nameOwner(NotificationsAPI.busName) == nil {
        _ = try await first(of: owners, "the notification daemon", timeout: .seconds(20))
    }
    let notifier = CallNotifier(connection: connection, logger: Logger(label: "demo"))
    try await notifier.start()
    await notifier.update(
        CallNotice(
            callID: "demo", direction: .incoming, phase: .ringing, remoteNumber: "+44 20 7123 4567",
            remoteName: "Jane Doe <Acme & Sons>",
            actions: [
                NotificationAction(ruleID: "crm", label: "Open in CRM", url: "https://crm.example.com/?n=%2B442071234567"),
                NotificationAction(ruleID: "ticket", label: "New ticket"),
            ]))
    // The daemon handles messages in order: once it answers this, it has the Notify.
    _ = try await connection.call(NotificationsAPI.call("GetServerInformation"))
}
