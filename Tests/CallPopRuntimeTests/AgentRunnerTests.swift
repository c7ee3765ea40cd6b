import CallPopConfig
import CallPopCore
import CallPopRuntime
import CallPopSources
import Foundation
import Logging
import Testing

/// The agent and its runner without a desktop: an event file in, decisions out, reloads.
@Suite struct AgentRunnerTests {
    static func configuration(_ rule: String) throws -> Configuration {
        try ConfigurationLoader(environment: [:]).load(text: """
            [user]
            number = "201"
            [[popup]]
            name = "\(rule)"
            trigger = "ringing"
            url = "https://crm.example.com/\(rule)?n={CALLERNUM}"
            """, name: "test.toml")
    }

    static func agent(_ configuration: Configuration) -> Agent {
        Agent(
            configuration: configuration, options: .init(dryRun: true, output: DecisionOutput(format: .json, toStandardOutput: false)),
            logger: Logger(label: "test"), environment: [:])
    }

    @Test func runsAnEventFileToItsEndAndDecides() async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("callpop-runner-\(UUID().uuidString).ndjson")
        defer { try? FileManager.default.removeItem(at: file) }
        try """
            {"call":"a","state":"ringing","direction":"incoming","number":"+442071234567","name":"John Doe"}
            {"call":"b","state":"ringing","direction":"incoming","number":"+442079460000"}
            {"call":"a","state":"ended","direction":"incoming"}

            """.write(to: file, atomically: true, encoding: .utf8)
        let agent = Self.agent(try Self.configuration("crm"))
        let runner = AgentRunner(agent: agent, source: EventStreamSource(path: file.path), logger: Logger(label: "test"), reloadConfiguration: nil)
        try await runner.run()
        let live = await agent.liveCalls.map(\.event.callID)
        #expect(live == ["b"])
        let status = await agent.statusJSON()
        #expect(status.contains(#""number":"+442079460000""#))
        #expect(status.contains(#""source":"events:"#))
    }

    @Test func aBrokenReloadKeepsTheRulesAndSaysWhy() async throws {
        let agent = Self.agent(try Self.configuration("first"))
        let second = try Self.configuration("second")
        let broken = AgentRunner(
            agent: agent, source: EventStreamSource(path: "/dev/null"), logger: Logger(label: "test"),
            reloadConfiguration: {
                do throws(ConfigurationError) {
                    return .success(try ConfigurationLoader(environment: [:]).load(text: "[user\n", name: "broken.toml"))
                } catch {
                    return .failure(error)
                }
            })
        let problem = await broken.reload()
        #expect(problem?.hasPrefix("broken.toml:") == true, "\(problem ?? "nil")")
        #expect(await agent.configuration.ruleSet.rules.map(\.name) == ["first"])

        let fine = AgentRunner(
            agent: agent, source: EventStreamSource(path: "/dev/null"), logger: Logger(label: "test"),
            reloadConfiguration: { .success(second) })
        #expect(await fine.reload() == nil)
        #expect(await agent.configuration.ruleSet.rules.map(\.name) == ["second"])
    }
}
