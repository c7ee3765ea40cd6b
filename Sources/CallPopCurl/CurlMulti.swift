private import CCurl
public import CallPopPlatform

/// libcurl's multi interface in its event-driven form: libcurl says which sockets it wants
/// watched (`interest`) and when it next needs time (`timerDeadline`); the owner waits for
/// them in `Poller` together with its own wake-up pipe and reports back with `act(on:)` and
/// `timerFired()`. So every HTTP transfer of callpop waits in the same `poll` as everything
/// else on its thread, and an idle client has no socket, no timer and no wake-ups.
///
/// Not thread-safe: use it from the one thread that drives it.
public final class CurlMulti {
    /// The sockets libcurl wants watched, and for what.
    public private(set) var interest: [Int32: Readiness] = [:]
    /// When libcurl next needs `timerFired()`; `nil` when it needs no time.
    public private(set) var timerDeadline: ContinuousClock.Instant?

    private let handle: UnsafeMutableRawPointer
    private var transfers: [UnsafeMutableRawPointer: CurlTransfer] = [:]

    /// Creates a multi handle.
    public init() throws(CurlError) {
        CurlGlobal.initialize()
        guard let handle = curl_multi_init() else { throw CurlError(code: -1, message: "libcurl could not create a multi handle") }
        self.handle = handle
        let context = Unmanaged.passUnretained(self).toOpaque()
        var code = callpop_curl_multi_socket_function(handle, { _, socket, what, context, _ in
            guard let context else { return 0 }
            Unmanaged<CurlMulti>.fromOpaque(context).takeUnretainedValue().watch(socket, what)
            return 0
        }, context)
        if code == CURLM_OK {
            code = callpop_curl_multi_timer_function(handle, { _, milliseconds, context in
                guard let context else { return 0 }
                Unmanaged<CurlMulti>.fromOpaque(context).takeUnretainedValue().setTimer(milliseconds)
                return 0
            }, context)
        }
        guard code == CURLM_OK else {
            curl_multi_cleanup(handle)
            throw CurlError(code: Int(code.rawValue), message: String(cString: curl_multi_strerror(code)))
        }
    }

    deinit {
        for (easy, _) in transfers { curl_multi_remove_handle(handle, easy) }
        curl_multi_cleanup(handle)
    }

    /// The transfers in progress.
    public var count: Int { transfers.count }

    /// Starts `transfer`; the multi keeps it until it finishes or is removed.
    public func add(_ transfer: CurlTransfer) throws(CurlError) {
        let code = curl_multi_add_handle(handle, transfer.handle)
        guard code == CURLM_OK else { throw CurlError(code: Int(code.rawValue), message: String(cString: curl_multi_strerror(code))) }
        transfers[transfer.handle] = transfer
    }

    /// Stops `transfer` where it is (a cancelled request).
    public func remove(_ transfer: CurlTransfer) {
        guard transfers.removeValue(forKey: transfer.handle) != nil else { return }
        curl_multi_remove_handle(handle, transfer.handle)
    }

    /// Tells libcurl that `socket` is ready for `readiness`.
    public func act(on socket: Int32, _ readiness: Readiness) {
        var mask: Int32 = 0
        if readiness.contains(.readable) { mask |= CURL_CSELECT_IN }
        if readiness.contains(.writable) { mask |= CURL_CSELECT_OUT }
        var running: Int32 = 0
        _ = curl_multi_socket_action(handle, socket, mask, &running)
    }

    /// Tells libcurl that `timerDeadline` has passed.
    public func timerFired() {
        timerDeadline = nil  // a one-shot timer: libcurl sets the next one
        var running: Int32 = 0
        _ = curl_multi_socket_action(handle, callpop_curl_socket_timeout(), 0, &running)
    }

    /// The transfers that have ended since the last call, each with its error (`nil`: the
    /// response arrived, whatever its status). They are no longer part of the multi.
    public func finished() -> [(transfer: CurlTransfer, error: CurlError?)] {
        var done: [(CurlTransfer, CurlError?)] = []
        var waiting: Int32 = 0
        while let message = curl_multi_info_read(handle, &waiting) {
            guard callpop_curl_message_is_done(message) != 0, let easy = message.pointee.easy_handle,
                  let transfer = transfers.removeValue(forKey: easy)
            else { continue }
            let result = callpop_curl_message_result(message)
            curl_multi_remove_handle(handle, easy)
            done.append((transfer, transfer.error(forCode: result.rawValue)))
        }
        return done
    }

    private func watch(_ socket: curl_socket_t, _ what: Int32) {
        switch what {
        case CURL_POLL_IN: interest[socket] = .readable
        case CURL_POLL_OUT: interest[socket] = .writable
        case CURL_POLL_INOUT: interest[socket] = [.readable, .writable]
        default: interest[socket] = nil
        }
    }

    private func setTimer(_ milliseconds: Int) {
        timerDeadline = milliseconds < 0 ? nil : .now + .milliseconds(milliseconds)
    }
}
