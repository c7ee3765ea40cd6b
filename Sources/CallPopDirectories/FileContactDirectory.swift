import CallPopLookup
import CallPopPlatform
import Synchronization

/// A `file` directory: vCard and CSV files, or folders of them, read into an index and read
/// again when any of them changed. Changes are noticed when a call needs the index (at most
/// every `recheckInterval`), by the files' size, time and inode: an idle agent reads nothing.
final class FileContactDirectory: ContactDirectory {
    /// How long an index is trusted before the files are looked at again.
    static let recheckInterval = Duration.seconds(2)
    /// The most files read from one folder.
    static let maximumFiles = 10_000

    let settings: DirectorySettings
    private let paths: [String]
    private let matcher: NumberMatcher

    private struct State {
        var stamps: [String: FileStamp]?
        var index: ContactIndex
        var checked: ContinuousClock.Instant?
        var problems: [String] = []
    }

    private let state: Mutex<State>
    /// One reload at a time; lookups during a reload wait for it.
    private let reloading = ReloadGate()

    init(settings: DirectorySettings, files: FileDirectorySettings, matcher: NumberMatcher) {
        self.settings = settings
        paths = files.paths
        self.matcher = matcher
        state = Mutex(State(index: ContactIndex(matcher: matcher)))
    }

    func prepare() async {
        await refreshIfChanged(force: true)
    }

    func lookup(_ number: String) async -> DirectoryAnswer {
        await refreshIfChanged(force: false)
        let (index, problems, loaded) = state.withLock { ($0.index, $0.problems, $0.stamps != nil) }
        let found = index.lookup(number)
        if found.isEmpty, !loaded || (index.contacts.isEmpty && !problems.isEmpty) {
            return .failed(problems.first ?? "the files could not be read")
        }
        return DirectoryAnswer(found)
    }

    func summary() -> String {
        state.withLock { state in
            let files = state.stamps?.values.filter { !$0.isDirectory }.count ?? 0
            let count = state.index.contacts.count
            var text = "\(count) contact\(count == 1 ? "" : "s") from \(files) file\(files == 1 ? "" : "s")"
            if let problem = state.problems.first { text += "; \(problem)" }
            return text
        }
    }

    /// Reads the files again when they changed (or when `force`), off the cooperative pool.
    private func refreshIfChanged(force: Bool) async {
        let now = ContinuousClock.now
        let due = state.withLock { state in
            force || state.checked.map { now - $0 >= Self.recheckInterval } ?? true
        }
        guard due else { return }
        await reloading.once {
            let paths = self.paths
            let directory = self.settings.name
            let matcher = self.matcher
            let known = self.state.withLock { $0.stamps }
            let result = await DetachedThread.value { Self.read(paths, directory: directory, matcher: matcher, unless: known) }
            self.state.withLock { state in
                state.checked = .now
                guard let result else {
                    state.problems = ["no thread could be started to read the files"]
                    return
                }
                guard let fresh = result else { return }  // unchanged
                state.stamps = fresh.stamps
                state.index = fresh.index
                state.problems = fresh.problems
            }
        }
    }

    private struct Reading: Sendable {
        var stamps: [String: FileStamp]
        var index: ContactIndex
        var problems: [String]
    }

    /// The files' contents as an index; nil when their stamps equal `known` (nothing changed).
    private static func read(_ paths: [String], directory: String, matcher: NumberMatcher, unless known: [String: FileStamp]?) -> Reading? {
        var stamps: [String: FileStamp] = [:]
        var problems: [String] = []
        var files: [String] = []
        for path in paths {
            guard let stamp = FileStamp(path) else {
                problems.append("\(path) does not exist")
                continue
            }
            stamps[path] = stamp
            if stamp.isDirectory {
                // A folder's own time changes when files are added, removed or renamed in it.
                let names = PrivateFiles.names(in: path).filter { ContactFiles.format(ofName: $0) != nil }.prefix(maximumFiles)
                for name in names {
                    let file = path + "/" + name
                    if let fileStamp = FileStamp(file), !fileStamp.isDirectory {
                        stamps[file] = fileStamp
                        files.append(file)
                    }
                }
            } else {
                files.append(path)
            }
        }
        if let known, known == stamps { return nil }
        var contacts: [Contact] = []
        for file in files {
            guard let real = FileStamp.resolved(file) else { continue }
            let bytes: [UInt8]?
            do {
                bytes = try PrivateFiles.read(real, limit: VCardReader.maximumBytes)
            } catch {
                problems.append("\(file): \(error)")
                continue
            }
            guard let bytes else { continue }
            do {
                contacts += try ContactFiles.contacts(in: bytes, name: file, directory: directory)
            } catch {
                problems.append("\(file): \(error.message)")
            }
        }
        return Reading(stamps: stamps, index: ContactIndex(contacts, matcher: matcher), problems: problems)
    }
}

/// Runs one piece of work at a time: a caller arriving while it runs waits for it to end
/// instead of starting it again.
actor ReloadGate {
    private var running: Task<Void, Never>?

    func once(_ work: @escaping @Sendable () async -> Void) async {
        if let running {
            await running.value
            return
        }
        let task = Task { await work() }
        running = task
        await task.value
        running = nil
    }
}
