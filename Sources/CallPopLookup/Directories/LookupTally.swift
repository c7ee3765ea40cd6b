/// The answers of one lookup, directory by directory, merged in the configured order: the
/// contact shown is the first directory's (in `[[directory]]` order) that knows the caller.
/// Pure: the service records answers as they arrive and asks whether the result is final.
public struct LookupTally: Sendable, Hashable {
    /// The directories' names, in configured order.
    public let directories: [String]
    /// Each directory's answer, once it came.
    public private(set) var answers: [DirectoryAnswer?]

    /// A tally for `directories`, none answered yet.
    public init(directories: [String]) {
        self.directories = directories
        answers = Array(repeating: nil, count: directories.count)
    }

    /// Records directory `index`'s answer (a second answer for it is ignored).
    public mutating func record(_ answer: DirectoryAnswer, for index: Int) {
        guard answers.indices.contains(index), answers[index] == nil else { return }
        answers[index] = answer
    }

    /// The best contact so far: the first directory's in order that found one.
    public var best: Contact? {
        answers.lazy.compactMap { $0?.contact }.first
    }

    /// Whether the result can no longer change: every directory ahead of the best contact's
    /// has answered (a later answer cannot beat it), or every directory has.
    public var isSettled: Bool {
        for answer in answers {
            guard let answer else { return false }
            if answer.contact != nil { return true }
        }
        return true
    }

    /// Whether every directory has answered.
    public var isComplete: Bool { !answers.contains(nil) }
}
