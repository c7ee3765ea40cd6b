import CallPopTestSupport
import Foundation
import Testing

/// `callpop run` with a `[[directory]]`: app rules get the contact as arguments and in their
/// environment, and never the variables secrets are read from.
@Suite("callpop run with caller lookup")
struct CallerLookupRunTests {
    @Test func appRulesGetTheContactAndNeverTheSecrets() async throws {
        let h = try Harness()
        defer { h.cleanUp() }
        let contacts = h.directory.appendingPathComponent("contacts")
        try FileManager.default.createDirectory(at: contacts, withIntermediateDirectories: true)
        try "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Anna Alster\r\nORG:Alster GmbH\r\nTEL:+49 40 1234567\r\nEND:VCARD\r\n"
            .write(to: contacts.appendingPathComponent("anna.vcf"), atomically: true, encoding: .utf8)
        let environmentDump = h.directory.appendingPathComponent("env.out").path
        let config = try h.write("config.toml", """
            [user]
            number = "201"
            country_code = "49"

            [[directory]]
            name = "exports"
            type = "file"
            path = "\(contacts.path)"

            [[directory]]
            name = "cloud"
            type = "carddav"
            url = "http://127.0.0.1:\(TestProgram.freePort())/anna/contacts/"
            user = "anna"
            password_env = "CARDDAV_PASSWORD"
            timeout = "200ms"

            [[popup]]
            name = "Environment"
            trigger = "ringing"
            app = ["/bin/sh", "-c", "env > \(environmentDump)"]

            [[popup]]
            name = "Known"
            trigger = "ringing"
            known = true
            app = ["\(h.directory.appendingPathComponent("app").path)", "--name={CONTACTNAME}", "--org={CONTACTORG}", "--from={DIRECTORY}"]
            """)
        let events = #"{"call":"c1","state":"ringing","direction":"incoming","number":"0401234567","name":"ZENTRALE"}"# + "\n"
        let result = try await h.run(
            ["run", "--config", config.path, "--events", "-"], input: events,
            extraEnvironment: ["CARDDAV_PASSWORD": "dav-s3cret", "CALLPOP_PBX_PASSWORD": "pbx-s3cret"])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let app = try h.invocations("app")
        #expect(app.map(\.argv) == [["--name=Anna Alster", "--org=Alster GmbH", "--from=exports"]])
        let dumped = try String(contentsOfFile: environmentDump, encoding: .utf8)
        #expect(dumped.contains("CALLPOP_CALLERNUM=0401234567"), "the child ran: \(dumped)")
        #expect(!dumped.contains("s3cret") && !dumped.contains("CARDDAV_PASSWORD") && !dumped.contains("CALLPOP_PBX_PASSWORD"), "\(dumped)")
        #expect(!result.stderr.contains("s3cret") && !result.stdout.contains("s3cret"))
    }
}
