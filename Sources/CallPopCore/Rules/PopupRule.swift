/// One personal popup: what to open, for which calls, on which trigger.
public struct PopupRule: Sendable, Hashable, Identifiable {
    /// A stable id derived from the name (notification action keys, `callpop open ID`).
    public var id: String
    /// The name the user gave the rule (shown as the notification button label).
    public var name: String
    /// Which calls the rule applies to.
    public var direction: DirectionFilter
    /// What makes it fire.
    public var trigger: Trigger
    /// Disabled rules are kept, shown by `check`, and never fire.
    public var enabled: Bool
    /// What it opens.
    public var target: PopupTarget
    /// When non-empty, the rule only applies to calls whose called number (DID, queue) matches one.
    public var calledNumbers: [NumberPattern]
    /// When non-empty, the rule only applies to calls whose remote number matches one.
    public var remoteNumbers: [NumberPattern]
    /// Automatic triggers fire also for calls without a number (anonymous, withheld); by
    /// default they skip them (`no-number`). On-click rules are offered either way.
    public var anonymous: Bool
    /// `known = true`: only callers a directory knows; `false`: only callers none knows.
    public var known: Bool?
    /// When non-empty, only callers found in one of these `[[directory]]` entries.
    public var directories: [String]

    /// Creates a rule; `id` defaults to a slug of `name`.
    public init(
        id: String? = nil, name: String, direction: DirectionFilter, trigger: Trigger, enabled: Bool = true,
        target: PopupTarget, calledNumbers: [NumberPattern] = [], remoteNumbers: [NumberPattern] = [],
        anonymous: Bool = false,         known: Bool? = nil, directories: [String] = []
    ) {
        self.id = id ?? PopupRule.slug(name)
        self.name = name
        self.direction = direction
        self.trigger = trigger
        self.enabled = enabled
        self.target = target
        self.calledNumbers = calledNumbers
        self.remoteNumbers = remoteNumbers
        self.anonymous = anonymous
        self.known = known
        self.directories = directories
    }

    /// A lower-case id made of letters, digits and `-` from a rule name.
    public static func slug(_ name: String) -> String {
        var out = ""
        var dash = false
        for c in name.lowercased() {
            if c.isASCII && (c.isLetter || c.isNumber) {
                out.append(c); dash = false
            } else if !dash && !out.isEmpty {
                out.append("-"); dash = true
            }
        }
        while out.hasSuffix("-") { out.removeLast() }
        return out.isEmpty ? "rule" : out
    }
}

/// What a rule opens.
public enum PopupTarget: Sendable, Hashable {
    /// A web page, opened with the configured URL opener (`xdg-open` by default).
    case url(Template)
    /// A program run directly (no shell), one template per argv word.
    case app([Template])

    /// `url` or `app`, as in the decision log.
    public var kind: TargetKind {
        switch self {
        case .url: .url
        case .app: .app
        }
    }
}

/// Which kind of target a rule opens, as the decision log names it.
public enum TargetKind: String, Sendable, Hashable, CaseIterable {
    /// A web page through the URL opener.
    case url
    /// A program run directly.
    case app
}
