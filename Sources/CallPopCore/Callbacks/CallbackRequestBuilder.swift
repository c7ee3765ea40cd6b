/// What one callback does for one call event.
public enum CallbackPlan: Sendable, Hashable {
    /// Send this request.
    case send(CallbackRequest)
    /// The rule is not for this event, direction, number or colleague call, or is disabled.
    case notApplicable
    /// The expanded URL was refused: shown in the decision log, never sent.
    case refused(URLCheck.Refusal)
}

extension CallbackRule {
    /// What this rule does for `occurrence`: the request to send, or why there is none.
    ///
    /// Values are encoded for where they go exactly as in popups: percent-encoded in the URL
    /// and a form body, JSON-escaped inside JSON strings, cleaned (no line breaks) in headers;
    /// the URL must still be an `http(s)` URL with the host the configuration wrote.
    public func request(
        for occurrence: CallbackOccurrence, user: UserIdentity, createdAt: Int64
    ) -> CallbackPlan {
        guard enabled, events.contains(occurrence.kind), direction.admits(occurrence.event.direction),
              includeColleagues || !occurrence.isColleague, filtersAdmit(occurrence.event, plan: user.numberPlan)
        else { return .notApplicable }
        let variables = CallVariables(event: occurrence.event, user: user).addingCallbackValues(
            event: occurrence.kind.rawValue, duration: String(occurrence.duration),
            disposition: occurrence.disposition?.rawValue ?? "")
        let url: String
        do throws(URLCheck.Refusal) {
            url = try self.url.expandURL(variables)
            try URLCheck.validate(url, allowedSchemes: ["http", "https"])
        } catch {
            return .refused(error)
        }
        let key = CallbackRequest.idempotencyKey(
            rule: id, user: variables[.userNumber], call: occurrence.event.callID, event: occurrence.kind, change: occurrence.change)
        var fields = headers.map { HeaderField($0.name, $0.value.expand(variables, encode: false)) }
        var text: String?
        if let body {
            fields.append(HeaderField("Content-Type", body.contentType))
            switch body {
            case .form(let template): text = template.expand(variables, encode: true)
            case .json(let template): text = template.expand(variables)
            }
        }
        fields.append(HeaderField("Idempotency-Key", key))
        fields += secretHeaders
        return .send(CallbackRequest(
            ruleID: id, ruleName: name, callID: UntrustedText.clean(occurrence.event.callID, for: .logLine), event: occurrence.kind,
            method: method, url: url, headers: fields, body: text, idempotencyKey: key, createdAt: createdAt, timeout: timeout,
            maximumAge: maximumAge, caFile: caFile))
    }

    private func filtersAdmit(_ event: CallEvent, plan: NumberPlan) -> Bool {
        func matches(_ patterns: [NumberPattern], _ number: String) -> Bool {
            patterns.isEmpty || patterns.contains { $0.matches(number) || $0.matches(plan.e164(number)) }
        }
        return matches(calledNumbers, event.calledNumber) && matches(remoteNumbers, event.remoteNumber)
    }
}
