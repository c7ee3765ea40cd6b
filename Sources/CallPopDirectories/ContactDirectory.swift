import CallPopLookup

/// One `[[directory]]` that answers "who has this number?".
protocol ContactDirectory: Sendable {
    /// The entry's settings.
    var settings: DirectorySettings { get }
    /// Prepares the directory (reads its local copy, starts a first sync) without waiting
    /// for the network.
    func prepare() async
    /// The answer for `number`, within the directory's `timeout`.
    func lookup(_ number: String) async -> DirectoryAnswer
    /// A few words about the directory's state for `callpop lookup` ("305 contacts, synced
    /// 12 s ago"); empty when there is nothing to say.
    func summary() -> String
}

extension ContactDirectory {
    func prepare() async {}
    func summary() -> String { "" }
}
