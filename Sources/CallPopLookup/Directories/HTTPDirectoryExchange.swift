public import CallPopCore

/// The pure half of asking a CRM's JSON API: the request URL for a number, and what a
/// response means. The HTTP layer sends the request.
extension HTTPDirectorySettings {
    /// The URL to ask for `number`: the template with `{CALLERNUM}` (the number's digits, with
    /// `+` or the national prefix as written; and its number forms) percent-encoded, checked as an `http(s)` URL; nil when `number` is no phone number (then
    /// nothing is asked: a "number" like `*)(uid=*` never reaches a CRM).
    public func requestURL(for number: String, matcher: NumberMatcher) throws(URLCheck.Refusal) -> String? {
        guard let parsed = matcher.number(number) else { return nil }
        // The number as read, not as sent: separators, labels and suffixes such as `;ext=`
        // or `&x=1` never reach the CRM, and the number forms work on clean digits.
        let clean: String
        switch parsed.form {
        case .international: clean = "+" + parsed.digits
        case .national: clean = matcher.plan.nationalPrefix + parsed.digits
        case .local: clean = parsed.digits
        }
        let event = CallEvent(callID: "", state: .ringing, direction: .incoming, remoteNumber: clean)
        let variables = CallVariables(event: event, user: UserIdentity(number: "", numberPlan: matcher.plan))
        let expanded = try url.expandURL(variables)
        try URLCheck.validate(expanded, allowedSchemes: ["http", "https"])
        return expanded
    }

    /// What a response with `status` and `body` says: 2xx with the name field is a contact,
    /// 2xx without it or 404 is nobody, anything else is a failure.
    public func answer(status: Int, body: [UInt8], directory: String) -> DirectoryAnswer {
        switch status {
        case 200..<300:
            do {
                return DirectoryAnswer(try fields.contact(in: body, directory: directory).map { [$0] } ?? [])
            } catch {
                return .failed("the response is not JSON with the configured fields: \(error.message)")
            }
        case 404: return .notFound
        case 401, 403: return .failed("the server refused the credentials (HTTP \(status))")
        default: return .failed("the server answered HTTP \(status)")
        }
    }
}
