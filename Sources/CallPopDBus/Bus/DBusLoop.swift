private import CDBus
#if canImport(Glibc)
private import Glibc
#elseif canImport(Musl)
private import Musl
#endif
private import Synchronization
internal import CallPopPlatform

/// Where to connect.
public enum DBusBus: Sendable, Hashable {
    /// The user's session bus, found the way libdbus finds it (`DBUS_SESSION_BUS_ADDRESS`, then `$XDG_RUNTIME_DIR/bus`).
    case session
    /// A bus at an explicit address, such as a private test bus.
    case address(String)
}

/// The thread that owns a libdbus connection and drives it with `Poller`, callpop's one
/// poll loop.
///
/// Every libdbus call for this connection happens on this one thread, so the C objects
/// need no locking. Other threads hand over work as jobs: the job queue is the only shared
/// state, and a `WakePipe` wakes the thread. The thread sleeps in `poll` whenever there is
/// nothing to do: no busy wait, no periodic wake-ups.
///
/// Signals reach subscribers through bounded `IOBridge`s. Unlike a PBX source, this loop
/// must never pause reading: method replies arrive on the same socket as signals, and a
/// subscriber that waits for a reply while its own buffer is full would wait forever. A
/// signal that does not fit is dropped and counted instead (a bus peer cannot grow our memory).
final class DBusLoop: @unchecked Sendable {
    /// Work handed to the loop thread.
    typealias Job = @Sendable (DBusLoop) -> Void
    /// A handler for method calls to an exported object; returns the reply to send, if any.
    typealias MethodHandler = @Sendable (DBusMessage) async -> DBusMessage?

    private struct Subscription {
        var rule: DBusMatchRule
        var bridge: IOBridge<DBusMessage>
    }

    /// How many signals one subscriber may have waiting before more are dropped.
    static let signalBuffer = 256

    private struct ExportedObject {
        var introspection: String
        var handler: MethodHandler
    }

    private struct Shared {
        var jobs: [Job] = []
        var stopping = false
    }

    /// The libdbus connection; touched only on the loop thread after `init`.
    private let connection: OpaquePointer
    /// The connection's unique name on the bus.
    let uniqueName: String
    /// Wakes the thread for queued jobs and for `stop`.
    private let wake: WakePipe
    private let shared = Mutex(Shared())

    // Loop-thread state: no lock, because only the loop thread touches it.
    private var watches: [OpaquePointer] = []
    private var timeouts: [OpaquePointer: ContinuousClock.Instant] = [:]
    private var subscriptions: [UInt64: Subscription] = [:]
    private var objects: [String: ExportedObject] = [:]
    private var nextSubscriptionID: UInt64 = 0
    private var connected = true
    /// Signals dropped because a subscriber's buffer was full.
    private(set) var droppedSignals = 0

    /// Opens and registers a private connection. Blocks: call it on the loop thread.
    init(opening bus: DBusBus) throws(DBusError) {
        _ = dbus_threads_init_default()
        var error = CDBus.DBusError()
        dbus_error_init(&error)
        defer { dbus_error_free(&error) }
        let opened: OpaquePointer?
        switch bus {
        case .session:
            opened = dbus_bus_get_private(DBUS_BUS_SESSION, &error)
        case .address(let address):
            let raw = address.withCString { dbus_connection_open_private($0, &error) }
            if let raw, dbus_bus_register(raw, &error) == 0 {
                dbus_connection_close(raw)
                dbus_connection_unref(raw)
                opened = nil
            } else {
                opened = raw
            }
        }
        guard let opened else {
            throw DBusError(
                .connectionFailed, name: Self.name(of: error),
                "cannot connect to the D-Bus session bus: \(Self.message(of: error) ?? "unknown error")")
        }
        connection = opened
        uniqueName = dbus_bus_get_unique_name(opened).map { String(cString: $0) } ?? ""
        do {
            wake = try WakePipe()
        } catch {
            dbus_connection_close(opened)
            dbus_connection_unref(opened)
            throw DBusError(.connectionFailed, "cannot create a wake-up pipe: \(error)")
        }
        dbus_connection_set_exit_on_disconnect(opened, 0)
        installCallbacks()
    }

    deinit {
        dbus_connection_close(connection)
        dbus_connection_unref(connection)
    }

    // MARK: Called from any thread

    /// Queues work for the loop thread and wakes it.
    func enqueue(_ job: @escaping Job) {
        _ = enqueueIfRunning(job)
    }

    /// Queues work unless the loop is stopping; `false` means the job was not queued.
    func enqueueIfRunning(_ job: @escaping Job) -> Bool {
        let accepted = shared.withLock { state -> Bool in
            guard !state.stopping else { return false }
            state.jobs.append(job)
            return true
        }
        if accepted { wake.wake() }
        return accepted
    }

    /// Asks the loop to flush, close the connection and end.
    func stop() {
        shared.withLock { $0.stopping = true }
        wake.wake()
    }

    // MARK: The loop

    /// Runs until `stop()`; the body of the dedicated thread.
    func run() {
        while true {
            let (jobs, stopping) = shared.withLock { state -> ([Job], Bool) in
                defer { state.jobs.removeAll() }
                return (state.jobs, state.stopping)
            }
            // Jobs first: work queued before a message arrived (say, exporting
            // the object it calls) must be done before that message is dispatched.
            for job in jobs { job(self) }
            dispatchAll()
            if stopping { break }
            waitForEvents()
        }
        if connected { dbus_connection_flush(connection) }
        // Closing makes libdbus fail every pending call with an error reply on
        // the next dispatch, so no caller waits forever.
        dbus_connection_close(connection)
        dispatchAll()
        connected = false
        finishSubscriptions()
        // Jobs queued after stop are never run; run the rest so their callers hear of it.
        let late = shared.withLock { state -> [Job] in
            defer { state.jobs.removeAll() }
            return state.jobs
        }
        for job in late { job(self) }
    }

    private func dispatchAll() {
        while dbus_connection_dispatch(connection) == DBUS_DISPATCH_DATA_REMAINS {}
    }

    /// Sleeps in `Poller` until the bus socket, a libdbus timeout or a job needs attention.
    private func waitForEvents() {
        var descriptors: [(fd: Int32, events: Readiness)] = []
        var polled: [OpaquePointer] = []
        for watch in watches where dbus_watch_get_enabled(watch) != 0 {
            let flags = dbus_watch_get_flags(watch)
            var events: Readiness = []
            if flags & DBUS_WATCH_READABLE.rawValue != 0 { events.insert(.readable) }
            if flags & DBUS_WATCH_WRITABLE.rawValue != 0 { events.insert(.writable) }
            descriptors.append((dbus_watch_get_unix_fd(watch), events))
            polled.append(watch)
        }
        let deadline: ContinuousClock.Instant? =
            dbus_connection_get_dispatch_status(connection) == DBUS_DISPATCH_DATA_REMAINS ? .now : timeouts.values.min()
        let result = Poller.wait(descriptors, wake: wake, until: deadline)
        for (index, watch) in polled.enumerated() {
            let ready = result.ready[index]
            // Handling one watch may remove another (on disconnect): recheck.
            guard !ready.isEmpty, watches.contains(watch) else { continue }
            var flags: UInt32 = 0
            // A hang-up or error shows as readable; libdbus learns which when it reads.
            if ready.contains(.readable) { flags |= DBUS_WATCH_READABLE.rawValue }
            if ready.contains(.writable) { flags |= DBUS_WATCH_WRITABLE.rawValue }
            _ = dbus_watch_handle(watch, flags)
        }
        let after = ContinuousClock.now
        for (timeout, deadline) in timeouts where deadline <= after {
            guard timeouts[timeout] != nil else { continue }
            // libdbus timeouts repeat until removed: arm the next period first.
            timeouts[timeout] = after + .milliseconds(Int(dbus_timeout_get_interval(timeout)))
            _ = dbus_timeout_handle(timeout)
        }
    }

    // MARK: libdbus callbacks (all run on the loop thread)

    private func installCallbacks() {
        let me = Unmanaged.passUnretained(self).toOpaque()
        _ = dbus_connection_set_watch_functions(
            connection,
            { watch, data in
                guard let watch, let data else { return 0 }
                DBusLoop.from(data).watches.append(watch)
                return 1
            },
            { watch, data in
                guard let watch, let data else { return }
                DBusLoop.from(data).watches.removeAll { $0 == watch }
            },
            { _, _ in
                // Enabled state and flags are read afresh before every poll.
            },
            me, nil)
        _ = dbus_connection_set_timeout_functions(
            connection,
            { timeout, data in
                guard let timeout, let data else { return 0 }
                DBusLoop.from(data).armTimeout(timeout)
                return 1
            },
            { timeout, data in
                guard let timeout, let data else { return }
                DBusLoop.from(data).timeouts[timeout] = nil
            },
            { timeout, data in
                guard let timeout, let data else { return }
                DBusLoop.from(data).armTimeout(timeout)
            },
            me, nil)
        _ = dbus_connection_add_filter(
            connection,
            { _, message, data in
                guard let message, let data else { return DBUS_HANDLER_RESULT_NOT_YET_HANDLED }
                return DBusLoop.from(data).filter(message)
            },
            me, nil)
    }

    private static func from(_ data: UnsafeMutableRawPointer) -> DBusLoop {
        Unmanaged<DBusLoop>.fromOpaque(data).takeUnretainedValue()
    }

    private func armTimeout(_ timeout: OpaquePointer) {
        if dbus_timeout_get_enabled(timeout) != 0 {
            timeouts[timeout] = .now + .milliseconds(Int(dbus_timeout_get_interval(timeout)))
        } else {
            timeouts[timeout] = nil
        }
    }

    /// Routes an incoming message to signal subscribers or an exported object.
    private func filter(_ raw: OpaquePointer) -> DBusHandlerResult {
        let type = dbus_message_get_type(raw)
        if type == DBUS_MESSAGE_TYPE_SIGNAL {
            let message = MessageCodec.decode(raw)
            if message.interface == "org.freedesktop.DBus.Local", message.member == "Disconnected" {
                connected = false
                finishSubscriptions()
                return DBUS_HANDLER_RESULT_HANDLED
            }
            for subscription in subscriptions.values where subscription.rule.matches(message) {
                if subscription.bridge.offer(message) == .full { droppedSignals += 1 }
            }
            return DBUS_HANDLER_RESULT_NOT_YET_HANDLED
        }
        guard type == DBUS_MESSAGE_TYPE_METHOD_CALL else { return DBUS_HANDLER_RESULT_NOT_YET_HANDLED }
        let message = MessageCodec.decode(raw)
        guard let path = message.path else { return DBUS_HANDLER_RESULT_NOT_YET_HANDLED }
        if message.interface == "org.freedesktop.DBus.Introspectable" || message.interface == nil,
            message.member == "Introspect"
        {
            if let xml = introspection(of: path) {
                send(message.methodReturn([.string(xml)]))
                return DBUS_HANDLER_RESULT_HANDLED
            }
        }
        guard let object = objects[path] else { return DBUS_HANDLER_RESULT_NOT_YET_HANDLED }
        let handler = object.handler
        // The handler may take its time (a reload): run it off this thread and
        // send its reply as a job, so the loop keeps serving other messages.
        Task {
            if let reply = await handler(message) {
                self.enqueue { $0.send(reply) }
            }
        }
        return DBUS_HANDLER_RESULT_HANDLED
    }

    /// Introspection for an exported object, or the child list of one of its ancestors.
    private func introspection(of path: String) -> String? {
        if let object = objects[path] { return object.introspection }
        let prefix = path == "/" ? "/" : path + "/"
        let children = Set(
            objects.keys.filter { $0.hasPrefix(prefix) }.compactMap {
                $0.dropFirst(prefix.count).split(separator: "/").first.map(String.init)
            })
        guard !children.isEmpty else { return nil }
        let nodes = children.sorted().map { "  <node name=\"\($0)\"/>\n" }.joined()
        return DBusIntrospection.header + "<node>\n" + nodes + "</node>\n"
    }

    private func finishSubscriptions() {
        for subscription in subscriptions.values { subscription.bridge.finish() }
        subscriptions.removeAll()
    }

    // MARK: Jobs' building blocks (loop thread only)

    /// Sends a message without waiting for any reply.
    @discardableResult
    func send(_ message: DBusMessage) -> DBusError? {
        guard connected else { return DBusError(.disconnected, "the D-Bus connection is closed") }
        do {
            let raw = try MessageCodec.encode(message)
            defer { dbus_message_unref(raw) }
            guard dbus_connection_send(connection, raw, nil) != 0 else {
                return DBusError(.outOfMemory, "libdbus ran out of memory sending a message")
            }
            return nil
        } catch {
            return error
        }
    }

    /// Sends a call; `completion` runs on the loop thread with the reply or the error.
    func call(
        _ message: DBusMessage, timeout: Duration,
        completion: @escaping @Sendable (Result<DBusMessage, DBusError>) -> Void
    ) {
        guard connected else {
            completion(.failure(DBusError(.disconnected, "the D-Bus connection is closed")))
            return
        }
        let raw: OpaquePointer
        do {
            raw = try MessageCodec.encode(message)
        } catch {
            completion(.failure(error))
            return
        }
        defer { dbus_message_unref(raw) }
        var pending: OpaquePointer?
        let ms = Int32(clamping: timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000)
        guard dbus_connection_send_with_reply(connection, raw, &pending, ms) != 0, let pending else {
            completion(.failure(DBusError(.disconnected, "the D-Bus connection is closed")))
            return
        }
        let box = Unmanaged.passRetained(ReplyBox(completion)).toOpaque()
        let attached = dbus_pending_call_set_notify(
            pending,
            { pending, data in
                guard let pending, let data else { return }
                let box = Unmanaged<ReplyBox>.fromOpaque(data).takeUnretainedValue()
                guard let reply = dbus_pending_call_steal_reply(pending) else {
                    box.complete(.failure(DBusError(.timeout, name: DBusError.Names.noReply, "no reply")))
                    return
                }
                defer { dbus_message_unref(reply) }
                box.complete(ReplyBox.result(of: MessageCodec.decode(reply)))
            },
            box,
            { data in
                if let data { Unmanaged<ReplyBox>.fromOpaque(data).release() }
            })
        dbus_pending_call_unref(pending)
        if attached == 0 {
            // libdbus did not take the box: answer through it, so the callback still runs once.
            Unmanaged<ReplyBox>.fromOpaque(box).takeUnretainedValue()
                .complete(.failure(DBusError(.outOfMemory, "libdbus ran out of memory waiting for a reply")))
        }
    }

    /// Registers a signal subscriber; matching signals go to `bridge`.
    func addSubscription(_ rule: DBusMatchRule, _ bridge: IOBridge<DBusMessage>) -> UInt64 {
        nextSubscriptionID += 1
        if connected {
            subscriptions[nextSubscriptionID] = Subscription(rule: rule, bridge: bridge)
        } else {
            bridge.finish()
        }
        return nextSubscriptionID
    }

    /// Removes a subscriber and ends its stream.
    func removeSubscription(_ id: UInt64) {
        subscriptions.removeValue(forKey: id)?.bridge.finish()
    }

    /// Serves method calls to `path` with `handler`.
    func export(path: String, introspection: String, handler: @escaping MethodHandler) {
        objects[path] = ExportedObject(introspection: introspection, handler: handler)
    }

    /// Stops serving `path`.
    func unexport(path: String) {
        objects[path] = nil
    }

    // MARK: C error helpers

    private static func name(of error: CDBus.DBusError) -> String? {
        error.name.map { String(cString: $0) }
    }

    private static func message(of error: CDBus.DBusError) -> String? {
        error.message.map { String(cString: $0) }
    }
}

/// Holds a reply callback while libdbus holds the pending call, and calls it exactly once:
/// with the reply, or — when libdbus frees the pending call without a reply (the
/// connection closed first) — with `.disconnected`, so no awaiting task is left behind.
private final class ReplyBox {
    private var completion: (@Sendable (Result<DBusMessage, DBusError>) -> Void)?

    init(_ completion: @escaping @Sendable (Result<DBusMessage, DBusError>) -> Void) {
        self.completion = completion
    }

    /// Runs on the loop thread only (libdbus calls back there), so no lock is needed.
    func complete(_ result: Result<DBusMessage, DBusError>) {
        let pending = completion
        completion = nil
        pending?(result)
    }

    deinit {
        completion?(.failure(DBusError(.disconnected, "the D-Bus connection closed before the reply came")))
    }

    /// A D-Bus error reply becomes a thrown `DBusError` carrying the peer's message.
    static func result(of reply: DBusMessage) -> Result<DBusMessage, DBusError> {
        guard reply.kind == .error else { return .success(reply) }
        let name = reply.errorName ?? DBusError.Names.failed
        let text = reply.arguments.first?.string ?? name
        let code: DBusError.Code = name == DBusError.Names.noReply ? .timeout : .remote
        return .failure(DBusError(code, name: name, text))
    }
}

/// Shared introspection text.
enum DBusIntrospection {
    /// The DOCTYPE every introspection document starts with.
    static let header = """
        <!DOCTYPE node PUBLIC "-//freedesktop//DTD D-BUS Object Introspection 1.0//EN"
         "http://www.freedesktop.org/standards/dbus/1.0/introspect.dtd">

        """
}
