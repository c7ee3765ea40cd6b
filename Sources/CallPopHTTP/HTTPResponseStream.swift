public import CallPopCore
import CallPopPlatform
import Synchronization

/// A response whose body is read as it arrives (an event stream, a large download).
///
/// Reading is paced by the reader: the transfer pauses while the reader is behind and goes
/// on when it has caught up. Dropping the stream, or `cancel()`, ends the transfer.
public final class HTTPResponseStream: Sendable {
    /// The status line and headers.
    public struct Head: Sendable, Hashable {
        /// The status code.
        public var status: Int
        /// The headers.
        public var headers: [HTTPHeader]
    }

    /// The status code.
    public var status: Int { head.status }
    /// The headers.
    public var headers: [HTTPHeader] { head.headers }

    private let head: Head
    private let channel: HTTPStreamChannel
    private let cancelTransfer: @Sendable () -> Void

    init(head: Head, channel: HTTPStreamChannel, cancel: @escaping @Sendable () -> Void) {
        self.head = head
        self.channel = channel
        self.cancelTransfer = cancel
    }

    deinit { cancel() }

    /// The next piece of the body; `nil` at its end.
    ///
    /// - Throws: `HTTPError` when the connection broke before the end.
    public func next() async throws(HTTPError) -> [UInt8]? {
        if let piece = await channel.bridge.next() { return piece }
        if let failure = channel.ending.withLock({ $0 }) { throw failure }
        return nil
    }

    /// How often the transfer was paused because the reader was behind.
    public var pausedCount: Int { channel.pauses.load(ordering: .relaxed) }

    /// Ends the transfer; `next()` returns `nil` from now on.
    public func cancel() {
        channel.bridge.close()
        cancelTransfer()
    }
}

/// What the loop and a stream's reader share: the head, the bounded body bridge and how it ended.
final class HTTPStreamChannel: Sendable {
    let head: OneShot<Result<HTTPResponseStream.Head, HTTPError>>
    let bridge: IOBridge<[UInt8]>
    let ending = Mutex<HTTPError?>(nil)
    /// How often the transfer was paused because the reader was behind (for tests and status).
    let pauses = Atomic<Int>(0)

    /// Room in the bridge resumes the paused transfer `id` on `loop`.
    init(head: OneShot<Result<HTTPResponseStream.Head, HTTPError>>, capacity: Int, loop: HTTPLoop, id: UInt64) {
        self.head = head
        bridge = IOBridge(capacity: capacity) { loop.resume(id) }
    }

    /// The transfer is over; `failure` when it broke.
    func end(_ failure: HTTPError?) {
        ending.withLock { $0 = failure }
        bridge.finish()
    }
}
