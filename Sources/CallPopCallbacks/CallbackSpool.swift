public import CallPopCore
public import CallPopPlatform

/// Callbacks waiting for delivery, on disk (`$XDG_STATE_HOME/callpop/callbacks/`): one file
/// per request, named by its `Idempotency-Key`, written atomically with mode 600 in a
/// directory of mode 700. A request is written before its first attempt and removed once it
/// is delivered, rejected or dropped, so a kill at any moment leaves it to be sent after the
/// restart. Bounded: beyond `capacity` requests the oldest is dropped (and reported).
///
/// Not thread-safe: owned by `CallbackDelivery`.
public struct CallbackSpool: Sendable {
    /// The directory.
    public let directory: String
    /// The most requests kept.
    public let capacity: Int

    /// A spool in `directory`, created (mode 700) when missing.
    public init(directory: String, capacity: Int = 1000) throws(PlatformError) {
        self.directory = directory
        self.capacity = max(1, capacity)
        try PrivateFiles.makeDirectory(directory)
    }

    /// What reading the spool back found.
    public struct Contents: Sendable {
        /// Requests to send, oldest first.
        public var entries: [CallbackSpoolRecord.Entry] = []
        /// Files that were not well-formed records (removed).
        public var damaged: [String] = []
    }

    /// Every request in the spool, oldest first; damaged files are removed and named.
    public func load() -> Contents {
        var contents = Contents()
        for name in PrivateFiles.names(in: directory) where name.hasSuffix(".json") {
            let path = directory + "/" + name
            guard let bytes = try? PrivateFiles.read(path, limit: CallbackSpoolRecord.maximumBytes),
                  let entry = CallbackSpoolRecord.decode(bytes), name == entry.request.idempotencyKey + ".json"
            else {
                contents.damaged.append(name)
                PrivateFiles.remove(path)
                continue
            }
            contents.entries.append(entry)
        }
        contents.entries.sort { ($0.request.sequence, $0.request.idempotencyKey) < ($1.request.sequence, $1.request.idempotencyKey) }
        return contents
    }

    /// Writes (or rewrites) `request`; secrets are never written.
    public func save(_ request: CallbackRequest) throws(PlatformError) {
        try PrivateFiles.write(CallbackSpoolRecord.encode(request), to: path(request.idempotencyKey))
    }

    /// Removes the request with `key`.
    public func remove(_ key: String) {
        PrivateFiles.remove(path(key))
    }

    /// How many requests the spool holds.
    public var count: Int {
        PrivateFiles.names(in: directory).count { $0.hasSuffix(".json") }
    }

    private func path(_ key: String) -> String {
        directory + "/" + key + ".json"
    }
}
