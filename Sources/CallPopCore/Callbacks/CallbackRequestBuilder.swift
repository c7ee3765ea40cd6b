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
    /// Values are encoded for where they go exactly as in popups (`ExpandedHTTPRequest`).
    public func request(
        for occurrence: CallbackOccurrence, user: UserIdentity, createdAt: Int64
    ) -> CallbackPlan {
        guard enabled, events.contains(occurrence.kind), direction.admits(occurrence.event.direction),
              includeColleagues || !occurrence.isColleague, filtersAdmit(occurrence.event, plan: user.numberPlan)
        else { return .notApplicable }
        let variables = CallVariables(event: occurrence.event, user: user, contact: occurrence.contact).adding([
            .event: occurrence.kind.rawValue,
            .duration: String(occurrence.duration),
            .disposition: occurrence.disposition?.rawValue ?? "",
        ])
        let expanded: ExpandedHTTPRequest
        do throws(URLCheck.Refusal) {
            expanded = try ExpandedHTTPRequest(url: url, body: body, headers: headers, variables: variables)
        } catch {
            return .refused(error)
        }
        let key = CallbackRequest.idempotencyKey(
            rule: id, user: variables[.userNumber], call: occurrence.event.callID, event: occurrence.kind, change: occurrence.change)
        var fields = expanded.headers
        fields.append(HeaderField("Idempotency-Key", key))
        fields += secretHeaders
        return .send(CallbackRequest(
            ruleID: id, ruleName: name, callID: UntrustedText.clean(occurrence.event.callID, for: .logLine), event: occurrence.kind,
            method: method, url: expanded.url, headers: fields, body: expanded.body, idempotencyKey: key, createdAt: createdAt, timeout: timeout,
            maximumAge: maximumAge, caFile: caFile))
    }

    private func filtersAdmit(_ event: CallEvent, plan: NumberPlan) -> Bool {
        func matches(_ patterns: [NumberPattern], _ number: String) -> Bool {
            patterns.isEmpty || patterns.contains { $0.matches(number) || $0.matches(plan.e164(number)) }
        }
        return matches(calledNumbers, event.calledNumber) && matches(remoteNumbers, event.remoteNumber)
    }
}
