import CallPopCore

/// Decides what to tell the notification server, call by call (and for the one health
/// notice). Pure: the notifier feeds it events and executes the actions it returns.
///
/// Replies to `Notify` come back asynchronously; while one is outstanding
/// for a call, later changes of that call wait, so that `replaces_id` is
/// always the id the server gave.
struct NotificationStateMachine {
    /// What the notifier must do.
    enum Action: Sendable, Hashable {
        /// Send `Notify`; report the reply with `notifyReplied`, tagged with `generation`.
        case notify(callID: String, replacesID: UInt32, content: NotificationContent, generation: Int)
        /// Send `Notify` for the health notice; report the reply with `healthReplied`.
        case notifyHealth(replacesID: UInt32, content: NotificationContent, generation: Int)
        /// Send `CloseNotification(id)`.
        case close(id: UInt32)
        /// Hand a click to the runtime.
        case invoke(ActionInvocation)
        /// Log a line.
        case log(LogLevel, String)
    }

    /// The severity of a logged line.
    enum LogLevel: Sendable, Hashable {
        case info, warning
    }

    private struct Entry {
        var notice: CallNotice
        /// The server's id for the notification shown now, if any.
        var id: UInt32?
        /// A `Notify` is on its way.
        var pending = false
        /// The notice changed while a `Notify` was on its way.
        var dirty = false
        /// The user closed the notification: only a missed call shows again.
        var dismissed = false
    }

    private let settings: NotificationSettings
    private var capabilities: ServerCapabilities?
    /// Bumped when the server changes, so late replies from an old server are ignored.
    private(set) var generation = 0
    private var calls: [String: Entry] = [:]
    private var callByNotification: [UInt32: String] = [:]
    /// Notifications we asked to close, until the server confirms: a click
    /// that crossed our close on the bus still opens the rule.
    private var closingNotices: [UInt32: CallNotice] = [:]
    /// The health notice (what stopped popups, or that they work again), one at a time.
    private struct HealthEntry {
        var notice: HealthNotice
        var id: UInt32?
        var pending = false
        var dirty = false
    }

    private var health: HealthEntry?
    /// Activation tokens by notification id: the server sends `ActivationToken` just before
    /// `ActionInvoked`, and the click takes it along. Bounded: only the newest few matter.
    private var activationTokens: [(id: UInt32, token: String)] = []

    /// Ids the server said it closed before we learned which call they belong to: the
    /// `NotificationClosed` signal and the `Notify` reply travel to different tasks and
    /// may be handled in either order. Bounded: only the newest few matter.
    private var closedBeforeReply: [UInt32] = []

    init(settings: NotificationSettings) {
        self.settings = settings
    }

    /// Whether a notification server is known to be there.
    var serverPresent: Bool { capabilities != nil }

    // MARK: Inputs

    /// At most this many calls keep a notification (missed calls stay until the user closes
    /// them); beyond it the oldest is closed, so a flood of calls cannot grow state or screen.
    static let maximumCalls = 32
    /// Call ids in the order they first appeared, for closing the oldest.
    private var arrival: [String] = []

    /// A call changed.
    mutating func update(_ notice: CallNotice) -> [Action] {
        let evictions = calls[notice.callID] == nil ? admit(notice.callID) : []
        return evictions + updateKnown(notice)
    }

    /// Makes room for a new call by forgetting (and closing) the oldest ones.
    private mutating func admit(_ callID: String) -> [Action] {
        var actions: [Action] = []
        if arrival.count > 4 * Self.maximumCalls { arrival.removeAll { calls[$0] == nil } }
        while calls.count >= Self.maximumCalls, !arrival.isEmpty {
            let oldest = arrival.removeFirst()
            guard let entry = calls.removeValue(forKey: oldest) else { continue }
            if let id = entry.id {
                callByNotification[id] = nil
                actions.append(.close(id: id))
            }
        }
        arrival.append(callID)
        return actions
    }

    private mutating func updateKnown(_ notice: CallNotice) -> [Action] {
        var entry = calls[notice.callID] ?? Entry(notice: notice)
        entry.notice = notice
        if entry.pending {
            entry.dirty = true
            calls[notice.callID] = entry
            return []
        }
        return apply(entry)
    }

    /// The server answered a `Notify` with this id.
    mutating func notifyReplied(callID: String, id: UInt32, generation: Int) -> [Action] {
        guard generation == self.generation, var entry = calls[callID] else { return [] }
        entry.pending = false
        if let old = entry.id, old != id { callByNotification[old] = nil }
        entry.id = id
        callByNotification[id] = callID
        if let early = closedBeforeReply.firstIndex(of: id) {
            closedBeforeReply.remove(at: early)
            calls[callID] = entry
            var actions = notificationClosed(id: id)
            if let current = calls[callID] { actions += finishReply(current) }
            return actions
        }
        return finishReply(entry)
    }

    /// A `Notify` failed.
    mutating func notifyFailed(callID: String, message: String, generation: Int) -> [Action] {
        guard generation == self.generation, var entry = calls[callID] else { return [] }
        entry.pending = false
        return [.log(.warning, "The notification server refused a call notification: \(message)")] + finishReply(entry)
    }

    /// A notification server started (or was found) with these capabilities.
    mutating func serverAppeared(_ capabilities: ServerCapabilities) -> [Action] {
        forgetServer()
        self.capabilities = capabilities
        var actions: [Action] = []
        if !capabilities.actions {
            if capabilities.bodyHyperlinks {
                actions.append(
                    .log(.info, "The notification server shows no buttons; on-click rules with a URL appear as links."))
            } else {
                actions.append(
                    .log(
                        .warning,
                        "The notification server shows neither buttons nor links: on-click rules are unavailable "
                            + "on this desktop. Use `callpop open RULE` (for example from a keyboard shortcut)."))
            }
        }
        // Calls still under way (or missed and not dismissed) show on the new server, and
        // so does a health notice nobody has seen yet.
        for entry in calls.values.sorted(by: { $0.notice.callID < $1.notice.callID }) {
            actions += apply(entry)
        }
        return actions + applyHealth()
    }

    /// The notification server left the bus: every id it gave is void.
    mutating func serverVanished() -> [Action] {
        guard capabilities != nil else { return [] }
        forgetServer()
        return [.log(.info, "The notification server left the session bus; notifications resume when one starts.")]
    }

    /// The user clicked a button (`key`) on notification `id`.
    mutating func actionInvoked(id: UInt32, key: String) -> [Action] {
        let token = activationTokens.last(where: { $0.id == id })?.token
        activationTokens.removeAll { $0.id == id }
        let shown = callByNotification[id].flatMap { calls[$0]?.notice } ?? closingNotices[id]
        guard let notice = shown else { return [] }
        let ruleID = key == "default" ? notice.actions.first?.ruleID : key
        guard let ruleID, notice.actions.contains(where: { $0.ruleID == ruleID }) else {
            return [.log(.warning, "Ignored a click on an unknown notification button.")]
        }
        return [.invoke(ActionInvocation(callID: notice.callID, ruleID: ruleID, activationToken: token))]
    }

    /// The server sent an activation token for the click on notification `id` that follows.
    mutating func activationToken(id: UInt32, token: String) {
        guard ActionInvocation.isUsableToken(token) else { return }
        activationTokens.append((id, token))
        if activationTokens.count > 8 { activationTokens.removeFirst() }
    }

    // MARK: The health notice

    /// Shows `notice` in place of the previous health notice (now, or once a server is there).
    mutating func showHealth(_ notice: HealthNotice) -> [Action] {
        var entry = health ?? HealthEntry(notice: notice)
        entry.notice = notice
        health = entry
        return applyHealth()
    }

    /// The server answered the health `Notify` with `id` (nil: it failed).
    mutating func healthReplied(id: UInt32?, generation: Int) -> [Action] {
        guard generation == self.generation, var entry = health else { return [] }
        entry.pending = false
        if let id { entry.id = id }
        health = entry
        guard entry.dirty else { return [] }
        health?.dirty = false
        return applyHealth()
    }

    private mutating func applyHealth() -> [Action] {
        guard var entry = health, let capabilities else { return [] }
        if entry.pending {
            entry.dirty = true
            health = entry
            return []
        }
        entry.pending = true
        health = entry
        let content = NotificationContent(health: entry.notice, settings: settings, capabilities: capabilities)
        return [.notifyHealth(replacesID: entry.id ?? 0, content: content, generation: generation)]
    }

    /// The server closed notification `id` (expired, dismissed, or on our request).
    mutating func notificationClosed(id: UInt32) -> [Action] {
        closingNotices[id] = nil
        if let entry = health, entry.id == id, !entry.pending {
            // Dismissed (or expired): it is not shown again on the next server.
            health = nil
            return []
        }
        guard let callID = callByNotification.removeValue(forKey: id), var entry = calls[callID] else {
            if calls.values.contains(where: \.pending) {
                closedBeforeReply.append(id)
                if closedBeforeReply.count > 16 { closedBeforeReply.removeFirst() }
            }
            return []
        }
        guard entry.id == id else { return [] }
        entry.id = nil
        if entry.notice.phase == .ringing || entry.notice.phase == .answered {
            entry.dismissed = true
            calls[callID] = entry
        } else {
            calls[callID] = nil
        }
        return []
    }

    // MARK: Internals

    private mutating func forgetServer() {
        generation += 1
        capabilities = nil
        callByNotification.removeAll()
        closingNotices.removeAll()
        closedBeforeReply.removeAll()
        activationTokens.removeAll()
        health?.id = nil
        health?.pending = false
        health?.dirty = false
        for key in calls.keys {
            calls[key]?.id = nil
            calls[key]?.pending = false
            calls[key]?.dirty = false
        }
    }

    private mutating func finishReply(_ entry: Entry) -> [Action] {
        var entry = entry
        guard entry.dirty else {
            calls[entry.notice.callID] = entry
            return []
        }
        entry.dirty = false
        return apply(entry)
    }

    /// Shows, updates or closes the notification for the entry's current notice.
    private mutating func apply(_ entry: Entry) -> [Action] {
        var entry = entry
        let notice = entry.notice
        let phase = notice.phase
        let closing = phase == .ended || phase == .answeredElsewhere
        let wanted = settings.enabled && !closing && settings.phases.contains(phase)
            && (!entry.dismissed || phase == .missed)
        guard wanted else {
            calls[notice.callID] = nil
            guard let id = entry.id else { return [] }
            callByNotification[id] = nil
            closingNotices[id] = notice
            return [.close(id: id)]
        }
        guard let capabilities else {
            calls[notice.callID] = entry
            return []
        }
        entry.pending = true
        entry.dismissed = false
        calls[notice.callID] = entry
        let content = NotificationContent(notice: notice, settings: settings, capabilities: capabilities)
        return [.notify(callID: notice.callID, replacesID: entry.id ?? 0, content: content, generation: generation)]
    }
}
