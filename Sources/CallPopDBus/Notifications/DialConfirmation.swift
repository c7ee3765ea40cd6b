/// The click-to-dial notifications: the question before a call from a link or the
/// selection (*Call* / *Cancel*), and the result afterwards. Separate from the per-call
/// `CallNotifier`: a `callpop dial` process shows these on its own connection.
public struct DialConfirmation: Sendable {
    /// The user's answer.
    public enum Answer: Sendable, Hashable {
        /// *Call* was clicked.
        case call
        /// *Cancel* was clicked, the notification was dismissed, or nobody answered in time.
        case cancel
        /// Nobody can be asked: no notification server, or one without action buttons.
        case cannotAsk(String)
    }

    /// The action keys of the question.
    public static let callKey = "call"
    public static let cancelKey = "cancel"

    private let connection: DBusConnection

    /// Notifications on `connection`.
    public init(connection: DBusConnection) {
        self.connection = connection
    }

    /// Asks whether to call: the notification shows `number` as it will be dialled and
    /// `details`, with *Call* and *Cancel*. Waits for a click at most `timeout`; anything
    /// but *Call* from the notification server itself is a *Cancel*.
    public func ask(number: String, details: String, timeout: Duration = .seconds(60)) async -> Answer {
        let server: String
        do {
            let reply = try await connection.call(NotificationsAPI.call("GetCapabilities"), timeout: .seconds(5))
            let capabilities = (reply.arguments.first?.array ?? []).compactMap(\.string)
            guard capabilities.contains("actions") else {
                return .cannotAsk("the notification server shows no buttons, so callpop cannot ask before dialling")
            }
            guard let owner = try await connection.nameOwner(NotificationsAPI.busName) else {
                return .cannotAsk("no notification server on the session bus")
            }
            server = owner
        } catch {
            return .cannotAsk("no notification server on the session bus (\(error.message))")
        }
        let clicks: DBusSignals, closes: DBusSignals
        do {
            clicks = try await connection.signals(
                matching: DBusMatchRule(path: NotificationsAPI.path, interface: NotificationsAPI.interface, member: "ActionInvoked"))
            closes = try await connection.signals(
                matching: DBusMatchRule(path: NotificationsAPI.path, interface: NotificationsAPI.interface, member: "NotificationClosed"))
        } catch {
            return .cannotAsk("the session bus refused the notification signals (\(error.message))")
        }
        let id: UInt32
        do {
            let reply = try await connection.call(notify(
                summary: "Call \(number)?", body: NotificationText.escapeMarkup(details),
                actions: [Self.callKey, "Call", Self.cancelKey, "Cancel"], urgency: 2, expire: 0))
            guard let shown = reply.arguments.first?.uint32 else { return .cannotAsk("the notification server gave no id") }
            id = shown
        } catch {
            return .cannotAsk("the notification server refused the question (\(error.message))")
        }
        let answer = await Self.firstAnswer(id: id, server: server, clicks: clicks, closes: closes, timeout: timeout)
        _ = try? await connection.call(NotificationsAPI.call("CloseNotification", [.uint32(id)]), timeout: .seconds(2))
        return answer
    }

    /// Shows the outcome of a dial (placed, refused, failed). Waits for the server's answer
    /// briefly, so a `callpop dial` that exits right after does not lose it.
    public func tell(summary: String, body: String, succeeded: Bool) async {
        _ = try? await connection.call(
            notify(summary: summary, body: NotificationText.escapeMarkup(body), actions: [], urgency: succeeded ? 1 : 2, expire: -1),
            timeout: .seconds(2))
    }

    private func notify(summary: String, body: String, actions: [String], urgency: UInt8, expire: Int32) -> DBusMessage {
        let hints: [String: DBusValue] = ["urgency": .byte(urgency), "desktop-entry": .string("callpop")]
        return NotificationsAPI.call("Notify", [
            .string("callpop"), .uint32(0), .string("call-start"), .string(NotificationText.clean(summary)), .string(body),
            .strings(actions), .vardict(hints), .int32(expire),
        ])
    }

    /// The first click on (or closing of) notification `id` by `server`, or `.cancel` after `timeout`.
    private static func firstAnswer(
        id: UInt32, server: String, clicks: DBusSignals, closes: DBusSignals, timeout: Duration
    ) async -> Answer {
        await withTaskGroup(of: Answer?.self) { group in
            group.addTask {
                for await signal in clicks where signal.sender == server && signal.arguments.first?.uint32 == id {
                    return signal.arguments.count >= 2 && signal.arguments[1].string == callKey ? .call : .cancel
                }
                return nil
            }
            group.addTask {
                for await signal in closes where signal.sender == server && signal.arguments.first?.uint32 == id { return .cancel }
                return nil
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return .cancel
            }
            defer { group.cancelAll() }
            while let answer = await group.next() {
                if let answer { return answer }
            }
            return .cancel
        }
    }
}
