import CallPopCore
import CallPopHTTP
import CallPopLookup

/// An `http` directory: a CRM's JSON API asked per call with the caller's number in its
/// URL, through the agent's shared HTTP client.
struct HTTPContactDirectory: ContactDirectory {
    let settings: DirectorySettings
    let api: HTTPDirectorySettings
    let client: HTTPClient
    let matcher: NumberMatcher

    func lookup(_ number: String) async -> DirectoryAnswer {
        let url: String
        do throws(URLCheck.Refusal) {
            // No phone number, no request: text such as `*)(uid=*` never reaches a CRM.
            guard let built = try api.requestURL(for: number, matcher: matcher) else { return .notFound }
            url = built
        } catch {
            return .failed("the request URL was refused: \(error.description)")
        }
        let request = HTTPRequest(
            url: url, headers: [HTTPHeader("Accept", "application/json")] + api.headers, timeout: settings.timeout,
            connectTimeout: settings.timeout, caFile: api.caFile, maximumResponseBytes: JSONValue.maximumBytes)
        do {
            let response = try await client.send(request)
            return api.answer(status: response.status, body: response.body, directory: settings.name)
        } catch {
            return .failed(error.message)
        }
    }
}
