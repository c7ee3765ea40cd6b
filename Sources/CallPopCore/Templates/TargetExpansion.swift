/// What a rule's target becomes for one call: the exact argv to run.
public struct LaunchPlan: Sendable, Hashable {
    /// A web page or a program.
    public var action: TargetKind
    /// The expanded URL, for URL targets.
    public var url: String?
    /// The exact argv that runs (the opener included for URL targets).
    public var argv: [String]
    /// Extra environment entries (`CALLPOP_*`) for app targets.
    public var environment: [String: String]

    /// Creates a plan.
    public init(action: TargetKind, url: String?, argv: [String], environment: [String: String]) {
        self.action = action
        self.url = url
        self.argv = argv
        self.environment = environment
    }
}

/// Settings that shape how targets expand and run.
public struct LaunchPolicy: Sendable, Hashable {
    /// The program and leading arguments that open URL targets; the URL is appended.
    public var opener: [String]
    /// URL schemes a popup may open, lower-case.
    public var allowedSchemes: Set<String>

    /// Creates a policy; defaults: `xdg-open`, `http` and `https`.
    public init(opener: [String] = ["xdg-open"], allowedSchemes: Set<String> = ["http", "https"]) {
        self.opener = opener
        self.allowedSchemes = allowedSchemes
    }
}

extension PopupTarget {
    /// Expands the target for a call. URL values are percent-encoded, as are values in app
    /// arguments that hold a URL (`scheme://` in the fixed text before the first value, as in
    /// `--app=https://crm/?q={CALLERNAME}`); other app arguments get the cleaned value. Every
    /// template becomes exactly one argument. Throws when the result may not run: a URL that
    /// fails its checks, or a caller's value that would be a whole argument starting with `-`
    /// (an option to the program) without a fixed `--` before it.
    public func plan(_ variables: CallVariables, policy: LaunchPolicy) throws(LaunchRefusal) -> LaunchPlan {
        switch self {
        case .url(let template):
            let url = try Self.checkedURL(template, variables, policy: policy)
            return LaunchPlan(action: .url, url: url, argv: policy.opener + [url], environment: [:])
        case .app(let words):
            var argv: [String] = []
            argv.reserveCapacity(words.count)
            var optionsEnded = false
            for (index, word) in words.enumerated() {
                if let embedded = word.embeddedURL {
                    argv.append(embedded.prefix + (try Self.checkedURL(embedded.url, variables, policy: policy)))
                } else {
                    let text = word.expand(variables, encode: false)
                    if index > 0, !optionsEnded, word.startsWithVariable, text.utf8.first == UInt8(ascii: "-") {
                        throw .optionInjection(argument: index)
                    }
                    argv.append(text)
                }
                // The program's own name is not an argument: only a `--` after it ends its options.
                if index > 0, word.isConstant, word.source == "--" { optionsEnded = true }
            }
            var environment: [String: String] = [:]
            for (name, value) in variables.environment { environment[name] = value }
            return LaunchPlan(action: .app, url: nil, argv: argv, environment: environment)
        }
    }

    /// `template` expanded as a URL and checked: host fixed by the template, scheme allowed,
    /// nothing a URL may not hold.
    private static func checkedURL(_ template: Template, _ variables: CallVariables, policy: LaunchPolicy) throws(LaunchRefusal) -> String {
        do throws(URLCheck.Refusal) {
            let url = try template.expandURL(variables)
            try template.check(url, allowedSchemes: policy.allowedSchemes)
            return url
        } catch {
            throw .url(error)
        }
    }
}

extension Template {
    /// Checks an expansion of this URL template. When the template's fixed parts were proven
    /// valid at load (`fixedURLScheme`, which implies a fixed host) only the scheme is asked
    /// about; else the whole URL, and that its host is the template's own.
    func check(_ url: String, allowedSchemes: Set<String>) throws(URLCheck.Refusal) {
        if let fixedURLScheme, allowedSchemes.contains(fixedURLScheme) { return }
        try URLCheck.validate(url, allowedSchemes: allowedSchemes)
        guard hasFixedAuthority else { throw .hostNotFixed }
    }

    /// The text with each placeholder replaced by its (cleaned) value, percent-encoded
    /// when `encode` is set; the user's literal text is kept as written.
    public func expand(_ variables: CallVariables, encode: Bool) -> String {
        var out = ""
        for segment in segments {
            switch segment {
            case .literal(let text): out += text
            case .variable(let v, let t):
                let value = variables.value(v, t)
                out += encode ? PercentEncoding.encode(value) : value
            }
        }
        return out
    }

    /// Expands a URL template: values percent-encoded, and a value that would be a whole
    /// `.` or `..` path segment refused (browsers resolve `%2E%2E` too, so encoding cannot help).
    /// Written as bytes into one buffer: this runs for every popup of every call.
    public func expandURL(_ variables: CallVariables) throws(URLCheck.Refusal) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(source.utf8.count + 128)
        var inPath = true
        for (index, segment) in segments.enumerated() {
            switch segment {
            case .literal(let text):
                out.append(contentsOf: text.utf8)
                if inPath, text.utf8.contains(where: { $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "#") }) { inPath = false }
            case .variable(let v, let t):
                let value = variables.value(v, t)
                if index == 0, startsWithContactURL {
                    // The contact's record URL, whole: `check` then validates all of it.
                    out.append(contentsOf: value.utf8)
                    if value.utf8.contains(where: { $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "#") }) { inPath = false }
                    continue
                }
                if inPath, value == "." || value == ".." { throw .dotSegment }
                PercentEncoding.encode(value, into: &out)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Whether the template starts with a placeholder (so the caller chooses how it begins).
    public var startsWithVariable: Bool {
        if case .variable? = segments.first { true } else { false }
    }

    /// Whether a URL template's scheme and host are fixed text: the literal before the first
    /// placeholder holds the scheme's `:`, and when it holds a `://` anywhere (`x-crm:/://host`
    /// too: a handler may read a host there) reaches a `/`, `?` or `#` after that host.
    public var hasFixedAuthority: Bool {
        guard !isConstant else { return true }
        // The contact's record URL, whole: its host was checked against the directory's
        // record_hosts before it became a value (`CallerContact.url`).
        if startsWithContactURL { return true }
        let head = Array(leadingLiteral.utf8)
        // A URL that starts with a value could take any scheme the value spells.
        guard head.contains(UInt8(ascii: ":")) else { return false }
        return Self.hostIsFixed(byText: head[...], isWholeTemplate: false)
    }

    /// Whether the fixed text `head` leaves no host for a value to choose or extend: it has no
    /// `://` (a value is percent-encoded, so it cannot spell one), or the bytes after its first
    /// `://` hold a host of at least one byte, ended by `/`, `?` or `#` unless `head` is the
    /// whole template. Counted in bytes, so a combining mark cannot hide a `://` from the search
    /// (`Character` comparison would).
    static func hostIsFixed(byText head: ArraySlice<UInt8>, isWholeTemplate: Bool) -> Bool {
        guard let marker = head.firstRange(of: Array("://".utf8)) else { return true }
        let isEnd = { (b: UInt8) in b == UInt8(ascii: "/") || b == UInt8(ascii: "?") || b == UInt8(ascii: "#") }
        let afterMarker = head[marker.upperBound...]
        guard let first = afterMarker.first, !isEnd(first) else { return false }
        return isWholeTemplate || afterMarker.contains(where: isEnd)
    }
}
