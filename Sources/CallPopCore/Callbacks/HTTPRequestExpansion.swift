/// A request template expanded for one call: what callbacks and the click-to-call API send.
struct ExpandedHTTPRequest: Sendable, Hashable {
    var url: String
    /// The template's headers, then `Content-Type` when there is a body (no secret headers).
    var headers: [HeaderField]
    var body: String?

    /// Values encoded for where they go: percent-encoded in the URL and a form body,
    /// JSON-escaped inside JSON strings, cleaned (no line breaks) in headers; the URL must
    /// still be an `http(s)` URL with the host the configuration wrote.
    init(
        url: Template, body: CallbackBody?, headers: [HeaderTemplate], variables: CallVariables
    ) throws(URLCheck.Refusal) {
        self.url = try url.expandURL(variables)
        try URLCheck.validate(self.url, allowedSchemes: ["http", "https"])
        self.headers = headers.map { HeaderField($0.name, $0.value.expand(variables, encode: false)) }
        guard let body else { return }
        self.headers.append(HeaderField("Content-Type", body.contentType))
        switch body {
        case .form(let template): self.body = template.expand(variables, encode: true)
        case .json(let template): self.body = template.expand(variables)
        }
    }
}
