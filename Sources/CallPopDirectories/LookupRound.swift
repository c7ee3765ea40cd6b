public import CallPopCore
public import CallPopLookup
import Synchronization

/// One lookup of one number in every directory at once: answers are recorded as they come
/// (`LookupTally` decides which contact wins), and callers wait for the result with a bound
/// (the budget of rules that use the contact) or until every directory has answered (to
/// update the notification with a late answer).
public final class LookupRound: Sendable {
    /// What a round found so far.
    public struct Result: Sendable, Hashable {
        /// The best contact, as calls and templates see it (record URL checked).
        public var contact: CallerContact?
        /// Every directory's answer so far, in configured order (nil: none yet).
        public var answers: [DirectoryAnswer?]
    }

    private struct Waiter {
        let id: Int
        let untilComplete: Bool
        let continuation: CheckedContinuation<Result?, Never>
    }

    private struct State {
        var tally: LookupTally
        var waiters: [Waiter] = []
        var nextID = 0
        /// Waiters whose bound passed before they were registered.
        var expired: Set<Int> = []
    }

    private let state: Mutex<State>
    private let recordHosts: [String: RecordHosts]

    /// A round over `directories` (in configured order).
    init(directories: [DirectorySettings]) {
        state = Mutex(State(tally: LookupTally(directories: directories.map(\.name))))
        recordHosts = Dictionary(directories.map { ($0.name, RecordHosts($0.recordHosts)) }, uniquingKeysWith: { first, _ in first })
    }

    /// Records directory `index`'s answer and wakes whoever it satisfies.
    func record(_ answer: DirectoryAnswer, for index: Int) {
        let (ready, result) = state.withLock { state -> ([Waiter], Result) in
            state.tally.record(answer, for: index)
            let result = snapshot(of: state.tally)
            let settled = state.tally.isSettled, complete = state.tally.isComplete
            let ready = state.waiters.filter { complete || (settled && !$0.untilComplete) }
            state.waiters.removeAll { waiter in ready.contains { $0.id == waiter.id } }
            return (ready, result)
        }
        for waiter in ready { waiter.continuation.resume(returning: result) }
    }

    /// What the round found so far.
    public var current: Result {
        state.withLock { snapshot(of: $0.tally) }
    }

    /// The result once it can no longer change, or nil when that takes longer than `bound`.
    public func settled(within bound: Duration) async -> Result? {
        await wait(untilComplete: false, within: bound)
    }

    /// The result once every directory has answered (each within its own timeout).
    public func complete() async -> Result {
        await wait(untilComplete: true, within: nil) ?? current
    }

    private func wait(untilComplete: Bool, within bound: Duration?) async -> Result? {
        let id = state.withLock { state -> Int in
            state.nextID += 1
            return state.nextID
        }
        let timer = bound.map { bound in
            Task { [weak self] in
                do { try await Task.sleep(for: bound) } catch { return }
                self?.giveUp(id)
            }
        }
        defer { timer?.cancel() }
        return await withCheckedContinuation { continuation in
            let now = state.withLock { state -> Result?? in
                if state.tally.isComplete || (!untilComplete && state.tally.isSettled) { return .some(snapshot(of: state.tally)) }
                if state.expired.remove(id) != nil { return .some(nil) }
                state.waiters.append(Waiter(id: id, untilComplete: untilComplete, continuation: continuation))
                return nil
            }
            if let now { continuation.resume(returning: now) }
        }
    }

    /// The bound passed for waiter `id`: it gets nil.
    private func giveUp(_ id: Int) {
        let waiter = state.withLock { state -> Waiter? in
            guard let index = state.waiters.firstIndex(where: { $0.id == id }) else {
                state.expired.insert(id)
                return nil
            }
            return state.waiters.remove(at: index)
        }
        waiter?.continuation.resume(returning: nil)
    }

    private func snapshot(of tally: LookupTally) -> Result {
        let contact = tally.best.map { $0.callerContact(recordHosts: recordHosts[$0.directory] ?? RecordHosts([])) }
        return Result(contact: contact, answers: tally.answers)
    }
}
