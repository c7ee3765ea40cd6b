import CallPopCore

/// NDJSON event lines: whoever writes to the FIFO or file is not trusted.
enum EventFuzz {
    /// A line decodes to an event with a call id, or is refused with a message; the message
    /// never carries a line break (it goes into a log line).
    static func line(_ raw: UnsafeRawBufferPointer) {
        do {
            let event = try EventLineDecoder.decode(Array(raw))
            require(!event.callID.isEmpty, "an event without a call id")
        } catch {
            require(!error.message.utf8.contains(10) && !error.message.utf8.contains(13), "a line break in \(error.message.debugDescription)")
        }
    }
}
