/// Everything the decision engine needs from the configuration.
public struct RuleSet: Sendable, Hashable {
    /// Who the user is.
    public var user: UserIdentity
    /// Which remote numbers are colleagues.
    public var colleagues: ColleaguePolicy
    /// How targets expand and run.
    public var launch: LaunchPolicy
    /// Launches allowed per minute (0: no limit).
    public var launchesPerMinute: Int
    /// The popup rules, in configuration order.
    public var rules: [PopupRule]
    /// Whether callers are looked up (an enabled `[[directory]]` exists): without it no rule
    /// ever waits and every caller is unknown.
    public var looksUpCallers: Bool

    /// Creates a rule set.
    public init(
        user: UserIdentity, colleagues: ColleaguePolicy = ColleaguePolicy(), launch: LaunchPolicy = LaunchPolicy(),
        launchesPerMinute: Int = 10, rules: [PopupRule], looksUpCallers: Bool = false
    ) {
        self.user = user
        self.colleagues = colleagues
        self.launch = launch
        self.launchesPerMinute = launchesPerMinute
        self.rules = rules
        self.looksUpCallers = looksUpCallers
    }

    /// The rule with `id`, or failing that the one named `name`.
    public func rule(_ idOrName: String) -> PopupRule? {
        rules.first { $0.id == idOrName } ?? rules.first { $0.name == idOrName }
    }
}
