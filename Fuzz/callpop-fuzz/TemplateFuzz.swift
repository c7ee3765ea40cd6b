import CallPopCore

/// Template expansion with hostile values, and a checker of the promises of
/// `docs/security.md` on every input: a URL stays one URL on the configured host with an
/// allowed scheme and only the user's delimiters; an app gets one argument per word; a
/// caller's value never starts an argument with '-' unless a fixed `--` comes first.
///
/// Input: fields separated by NUL bytes: a URL template, an app command line, then the
/// caller's name, number, the called number, tags, channel, call id, the user's name.
enum TemplateFuzz {
    static let delimiters = Array(":/?#[]@!$&'()*+,;=".utf8)

    static func expand(_ raw: UnsafeRawBufferPointer) {
        var input = FuzzInput(raw, controlBytes: 1)
        let flags = input.next()
        let fields = input.payload.split(separator: 0, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
        func field(_ index: Int) -> String { index < fields.count ? fields[index] : "" }
        let event = CallEvent(
            callID: field(7).isEmpty ? "1" : field(7), state: .ringing, direction: flags & 1 == 0 ? .incoming : .outgoing,
            remoteNumber: field(3), remoteName: field(2), calledNumber: field(4), userName: field(8),
            tags: field(5).split(separator: ",").map(String.init), channel: field(6))
        let plan = NumberPlan(countryCode: flags & 2 == 0 ? "44" : "", nationalPrefix: "0", internationalPrefix: "00")
        let variables = CallVariables(event: event, user: UserIdentity(number: "201", name: "Alice", numberPlan: plan))
        let policy = LaunchPolicy(allowedSchemes: flags & 4 == 0 ? ["http", "https"] : ["http", "https", "x-crm"])
        if let template = try? Template(parsing: field(0)) { checkURLTarget(template, variables, policy) }
        if let words = try? ArgvSplitter.split(field(1)), !words.isEmpty {
            let templates = words.compactMap { try? Template(parsing: $0.text) }
            if templates.count == words.count, templates[0].isConstant, !templates[0].source.isEmpty {
                checkAppTarget(templates, variables, policy)
            }
        }
    }

    static func checkURLTarget(_ template: Template, _ variables: CallVariables, _ policy: LaunchPolicy) {
        guard let plan = try? PopupTarget.url(template).plan(variables, policy: policy) else { return }
        guard let url = plan.url else { return require(false, "a URL plan without its URL") }
        require(plan.argv == policy.opener + [url], "the opener's argv is not opener + URL: \(plan.argv)")
        checkURL(url, from: template, policy)
    }

    static func checkAppTarget(_ words: [Template], _ variables: CallVariables, _ policy: LaunchPolicy) {
        let plan: LaunchPlan
        do {
            plan = try PopupTarget.app(words).plan(variables, policy: policy)
        } catch {
            if case .optionInjection(let index) = error {
                require(index > 0 && index < words.count && words[index].startsWithVariable && !optionsEnded(words, before: index),
                        "option-injection refusal for argument \(index), which may start with '-'")
            }
            return
        }
        require(plan.argv.count == words.count, "\(words.count) words became \(plan.argv.count) arguments")
        for (index, word) in words.enumerated() {
            let argument = plan.argv[index]
            // Control characters only where the user's own text has them (values are cleaned).
            require(controls(argument) <= word.segments.reduce(0) { if case .literal(let text) = $1 { $0 + controls(text) } else { $0 } },
                    "a control character from a value in argument \(index): \(argument.debugDescription)")
            if word.isConstant {
                require(argument == word.source, "fixed argument \(index) changed: \(argument.debugDescription)")
            } else if let embedded = word.embeddedURL {
                require(argument.hasPrefix(embedded.prefix), "argument \(index) lost its prefix \(embedded.prefix.debugDescription)")
                checkURL(String(argument.dropFirst(embedded.prefix.count)), from: embedded.url, policy)
            } else if index > 0, word.startsWithVariable, !optionsEnded(words, before: index) {
                require(!argument.hasPrefix("-"), "argument \(index) starts with '-' from a caller's value: \(argument.debugDescription)")
            }
        }
    }

    /// The URL is absolute, with an allowed scheme, the template's own scheme and host, its
    /// fixed text at the start, and exactly the delimiters of its fixed text.
    static func checkURL(_ url: String, from template: Template, _ policy: LaunchPolicy) {
        let scheme: String
        do {
            scheme = try URLCheck.validate(url, allowedSchemes: policy.allowedSchemes)
        } catch {
            return require(false, "a planned URL fails its own check (\(error)): \(url.debugDescription)")
        }
        require(policy.allowedSchemes.contains(scheme), "scheme \(scheme) is not allowed")
        let head = template.leadingLiteral
        require(url.hasPrefix(head), "the URL does not start with the template's fixed text \(head.debugDescription): \(url.debugDescription)")
        require(head.lowercased().hasPrefix(scheme + ":"), "the scheme \(scheme) is not the template's: \(head.debugDescription)")
        if head.utf8.firstRange(of: "://".utf8) != nil {
            require(authority(of: url) == authority(of: head), "host \(authority(of: url).debugDescription) is not the template's \(authority(of: head).debugDescription)")
        }
        var literal: [UInt8] = []
        for case .literal(let text) in template.segments { literal += text.utf8 }
        for delimiter in delimiters {
            let inURL = url.utf8.lazy.filter { $0 == delimiter }.count
            let inTemplate = literal.lazy.filter { $0 == delimiter }.count
            require(inURL == inTemplate, "a value added '\(Character(Unicode.Scalar(delimiter)))' to \(url.debugDescription)")
        }
    }

    /// What stands between the first `://` and the next `/`, `?` or `#`, in bytes (a
    /// combining mark must not hide a delimiter), wherever the `://` is: a custom scheme's
    /// handler may read a host after `x-crm:/://` too.
    static func authority(of text: String) -> String {
        let bytes = Array(text.utf8)
        guard let marker = bytes.firstRange(of: Array("://".utf8)) else { return "" }
        let isEnd = { (b: UInt8) in b == UInt8(ascii: "/") || b == UInt8(ascii: "?") || b == UInt8(ascii: "#") }
        return String(decoding: bytes[marker.upperBound...].prefix { !isEnd($0) }, as: UTF8.self)
    }

    static func controls(_ text: String) -> Int {
        text.unicodeScalars.lazy.filter { $0.value < 0x20 || ($0.value >= 0x7F && $0.value < 0xA0) }.count
    }

    static func optionsEnded(_ words: [Template], before index: Int) -> Bool {
        words[1..<index].contains { $0.isConstant && $0.source == "--" }
    }
}
