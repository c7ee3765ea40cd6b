import CallPopAMI
import Testing

/// URL parsing and the reconnection backoff.
@Suite struct AMIConfigurationTests {
    @Test(arguments: [
        ("ami://pbx.example.com", "pbx.example.com", 5038, false),
        ("ami://pbx.example.com:6038/", "pbx.example.com", 6038, false),
        ("amis://pbx.example.com", "pbx.example.com", 5039, true),
        ("AMIS://10.0.0.5:15039", "10.0.0.5", 15039, true),
        ("ami://[2001:db8::5]:5038", "2001:db8::5", 5038, false),
        ("amis://[::1]", "::1", 5039, true),
    ])
    func validURLs(url: String, host: String, port: Int, tls: Bool) throws {
        let endpoint = try AMIEndpoint(url: url)
        #expect(endpoint.host == host)
        #expect(endpoint.port == port)
        #expect(endpoint.tls == tls)
    }

    @Test(arguments: [
        "pbx.example.com:5038", "http://pbx:5038", "ami://", "ami://pbx:0", "ami://pbx:70000", "ami://pbx:50x",
        "ami://user@pbx", "ami://[::1", "ami://[::1]x", "ami://pbx/path",
    ])
    func invalidURLs(url: String) {
        #expect(throws: AMIError(.invalidConfiguration,
            "pbx url \"\(url)\" is not ami://host[:port] or amis://host[:port]")) {
            _ = try AMIEndpoint(url: url)
        }
    }

    @Test func endpointDescriptionBracketsIPv6() throws {
        #expect(try AMIEndpoint(url: "ami://[::1]").description == "[::1]:5038")
        #expect(try AMIEndpoint(url: "amis://pbx").description == "pbx:5039")
    }

    /// Doubling from the minimum, capped, each delay between half and all of its ceiling; reset starts over.
    @Test func backoffDoublesWithJitterUpToTheCap() {
        var backoff = Backoff(minimum: .seconds(1), maximum: .seconds(60))
        var generator = SplitMix64(seed: 7)
        let ceilings = [1, 2, 4, 8, 16, 32, 60, 60, 60].map { Duration.seconds($0) }
        var delays: [Duration] = []
        for ceiling in ceilings {
            let delay = backoff.nextDelay(using: &generator)
            #expect(delay <= ceiling && delay >= ceiling / 2, "\(delay) within [\(ceiling / 2), \(ceiling)]")
            delays.append(delay)
        }
        #expect(Set(delays.suffix(3)).count > 1, "jitter: capped delays differ")
        backoff.reset()
        #expect(backoff.nextDelay(using: &generator) <= .seconds(1))
    }

    @Test func backoffSurvivesManyFailures() {
        var backoff = Backoff(minimum: .milliseconds(500), maximum: .seconds(300))
        var generator = SplitMix64(seed: 1)
        for _ in 0..<200 { _ = backoff.nextDelay(using: &generator) }
        #expect(backoff.nextDelay(using: &generator) <= .seconds(300))
    }
}
