/// Why a rule's target may not run for a call: what the decision reports as a skip.
public enum LaunchRefusal: Error, Sendable, Hashable, CustomStringConvertible {
    /// A URL (the target, or one inside an app argument) failed its checks.
    case url(URLCheck.Refusal)
    /// App argument `argument` is a caller's value that starts with `-`: the program would
    /// read it as an option (`-f/home/user/.ssh/id_ed25519`, `--help`).
    case optionInjection(argument: Int)

    /// The decision's skip reason.
    public var reason: Decision.SkipReason {
        switch self {
        case .url: .refusedURL
        case .optionInjection: .optionInjection
        }
    }

    /// The reason in words, for the decision's detail.
    public var description: String {
        switch self {
        case .url(let refusal): refusal.description
        case .optionInjection(let argument):
            "argument \(argument) would start with '-', which the program could read as an option; put -- before it in the rule"
        }
    }
}
