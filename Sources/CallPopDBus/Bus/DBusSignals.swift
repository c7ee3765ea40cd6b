internal import CallPopPlatform

/// The signals matching one rule, in order, through the platform's bounded bridge. The
/// bus forgets the match when the last reference to the stream goes away.
public final class DBusSignals: AsyncSequence, Sendable {
    public typealias Element = DBusMessage

    private let bridge: IOBridge<DBusMessage>
    private let unsubscribe: @Sendable () -> Void

    init(bridge: IOBridge<DBusMessage>, unsubscribe: @escaping @Sendable () -> Void) {
        self.bridge = bridge
        self.unsubscribe = unsubscribe
    }

    deinit {
        bridge.close()
        unsubscribe()
    }

    /// Iterates the signals; ends when the connection closes or the iterating task is cancelled.
    public struct AsyncIterator: AsyncIteratorProtocol {
        let signals: DBusSignals

        public mutating func next() async -> DBusMessage? {
            await signals.bridge.next()
        }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(signals: self)
    }
}
