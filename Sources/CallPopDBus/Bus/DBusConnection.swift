internal import CallPopPlatform

/// A connection to a D-Bus bus, driven by a dedicated thread.
///
/// Nothing here blocks the caller: sends are queued for the connection's
/// thread, and replies come back through `async` functions. The connection
/// closes when the last reference goes away, or on `close()`.
public final class DBusConnection: Sendable {
    private let loop: DBusLoop

    /// The connection's unique name on the bus, such as `:1.42`.
    public var uniqueName: String { loop.uniqueName }

    private init(loop: DBusLoop) {
        self.loop = loop
    }

    deinit {
        loop.stop()
    }

    /// Connects to `bus` and starts the connection's thread.
    ///
    /// - Throws: `DBusError` with code `.connectionFailed` when no bus is reachable.
    public static func connect(to bus: DBusBus = .session) async throws(DBusError) -> DBusConnection {
        let result: Result<DBusConnection, DBusError> = await withCheckedContinuation { continuation in
            // Opening a connection blocks; it happens on the new thread, never on the caller's.
            let started = DetachedThread.start {
                switch Result(catching: { () throws(DBusError) in try DBusLoop(opening: bus) }) {
                case .success(let loop):
                    continuation.resume(returning: .success(DBusConnection(loop: loop)))
                    loop.run()
                case .failure(let error):
                    continuation.resume(returning: .failure(error))
                }
            }
            if !started {
                continuation.resume(returning: .failure(DBusError(.connectionFailed, "cannot start the D-Bus thread")))
            }
        }
        return try result.get()
    }

    /// Closes the connection after sending what is queued. Later calls fail with `.disconnected`.
    public func close() {
        loop.stop()
    }

    /// Sends a message and returns at once; errors (an invalid name, a closed
    /// connection) are dropped, as nobody waits for them. Use `call` to hear back.
    public func send(_ message: DBusMessage) {
        loop.enqueue { $0.send(message) }
    }

    /// Sends a method call and waits for the reply without blocking a thread.
    ///
    /// - Throws: `DBusError` with code `.remote` (and the peer's error name and
    ///   message) for an error reply, `.timeout` when no reply comes in time.
    public func call(_ message: DBusMessage, timeout: Duration = .seconds(25)) async throws(DBusError) -> DBusMessage {
        let result: Result<DBusMessage, DBusError> = await withCheckedContinuation { continuation in
            let job: DBusLoop.Job = { loop in
                loop.call(message, timeout: timeout) { continuation.resume(returning: $0) }
            }
            if !loop.enqueueIfRunning(job) {
                continuation.resume(returning: .failure(DBusError(.disconnected, "the D-Bus connection is closed")))
            }
        }
        return try result.get()
    }

    /// Calls a method of the bus daemon itself (`org.freedesktop.DBus`).
    public func callBus(_ member: String, _ arguments: [DBusValue] = []) async throws(DBusError) -> DBusMessage {
        try await call(
            .methodCall(
                destination: "org.freedesktop.DBus", path: "/org/freedesktop/DBus",
                interface: "org.freedesktop.DBus", member: member, arguments: arguments))
    }

    /// Receives the signals matching `rule` as a stream, starting once this returns.
    ///
    /// The match is registered with the bus before returning, so no signal sent after that
    /// is missed. The stream ends when the connection closes; the subscription ends when
    /// the stream is released. At most `DBusLoop.signalBuffer` signals wait; more are dropped.
    public func signals(matching rule: DBusMatchRule) async throws(DBusError) -> DBusSignals {
        let bridge = IOBridge<DBusMessage>(capacity: DBusLoop.signalBuffer)
        let loop = self.loop
        let registered = await withCheckedContinuation { (done: CheckedContinuation<UInt64, Never>) in
            if !loop.enqueueIfRunning({ done.resume(returning: $0.addSubscription(rule, bridge)) }) {
                bridge.finish()
                done.resume(returning: 0)
            }
        }
        let removeMatch = DBusMessage.methodCall(
            destination: "org.freedesktop.DBus", path: "/org/freedesktop/DBus", interface: "org.freedesktop.DBus",
            member: "RemoveMatch", arguments: [.string(rule.text)])
        let signals = DBusSignals(bridge: bridge) {
            loop.enqueue {
                $0.removeSubscription(registered)
                // Nobody waits for this reply; libdbus drops it when it comes.
                $0.send(removeMatch)
            }
        }
        _ = try await callBus("AddMatch", [.string(rule.text)])
        return signals
    }

    /// Serves method calls to the object at `path`.
    ///
    /// `handler` runs in a task for each call and returns the reply (build it
    /// with `DBusMessage.methodReturn` / `errorReply`), or `nil` for none.
    /// `Introspect` is answered with `introspectionXML`, and its ancestors list it.
    public func export(
        path: String, introspectionXML: String,
        handler: @escaping @Sendable (DBusMessage) async -> DBusMessage?
    ) {
        loop.enqueue { $0.export(path: path, introspection: introspectionXML, handler: handler) }
    }

    /// Stops serving `path`.
    public func unexport(path: String) {
        loop.enqueue { $0.unexport(path: path) }
    }

    /// How a `RequestName` ended.
    public enum NameRequestResult: UInt32, Sendable {
        /// This connection now owns the name.
        case primaryOwner = 1
        /// Queued behind the current owner (not with `doNotQueue`).
        case inQueue = 2
        /// Somebody else owns the name.
        case exists = 3
        /// This connection already owned it.
        case alreadyOwner = 4
    }

    /// Asks the bus for a well-known name. With `doNotQueue`, fails at once
    /// (`.exists`) when someone else owns it.
    public func requestName(_ name: String, doNotQueue: Bool = true) async throws(DBusError) -> NameRequestResult {
        let reply = try await callBus("RequestName", [.string(name), .uint32(doNotQueue ? 0x4 : 0)])
        guard let code = reply.arguments.first?.uint32, let result = NameRequestResult(rawValue: code) else {
            throw DBusError(.unexpectedReply, "the bus gave an unexpected answer to RequestName")
        }
        return result
    }

    /// Gives a well-known name back.
    public func releaseName(_ name: String) async throws(DBusError) {
        _ = try await callBus("ReleaseName", [.string(name)])
    }

    /// The unique name owning `name`, or `nil` when nobody owns it.
    public func nameOwner(_ name: String) async throws(DBusError) -> String? {
        do {
            return try await callBus("GetNameOwner", [.string(name)]).arguments.first?.string
        } catch where error.name == DBusError.Names.nameHasNoOwner {
            return nil
        }
    }
}
