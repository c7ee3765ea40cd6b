import CallPopConfig
import CallPopCore
import CallPopTestSupport
import Foundation
import Testing

/// Issue #10's promises for the sections that came after it (`[[callback]]`, `[dial]`,
/// `[[directory]]`, `[colleagues]`, `[provisioning]`, the event stream): secrets read from the
/// environment are withheld from children, secret files are regular files, no URI carries a
/// password, and an app's arguments follow the same URL and option rules as a popup's.
@Suite("Hardening of the HTTP, dial and lookup sections")
struct MergedSectionsHardeningTests {
    static let secrets = ["CRM_SECRET": "env-789", "DIAL_SECRET": "dial-1", "FEED_SECRET": "feed-2", "COLL_SECRET": "coll-3"]

    @Test func everyEnvSecretHeaderIsWithheldFromChildren() throws {
        let text = userHead + """
            [pbx]
            source = "stream"
            url = "https://bridge.example.com/events"
            secret_headers = { "X-Feed" = "env:FEED_SECRET" }

            [colleagues]
            url = "https://pbx.example.com/colleagues"
            secret_headers = { "X-Coll" = "env:COLL_SECRET" }

            [[callback]]
            name = "CRM log"
            url = "https://crm.example.com/calls?n={CALLERNUM}"
            secret_headers = { "X-Api-Key" = "env:CRM_SECRET" }

            [dial]
            url = "https://pbx.example.com/dial?to={DIALNUM}"
            secret_headers = { "X-Dial" = "env:DIAL_SECRET" }

            """
        let environment = standardEnvironment.merging(Self.secrets) { $1 }
        let configuration = try load(text, environment: environment)
        let children = configuration.childEnvironment(environment.merging(["CALLPOP_PBX_PASSWORD": "x", "NOTIFY_SOCKET": "/run/x"]) { $1 })
        #expect(children == standardEnvironment, "\(children)")
        #expect(configuration.secretEnvironment.isSuperset(of: Set(Self.secrets.keys)))
    }

    @Test("a password in any URL is refused without echoing it", arguments: [
        ("[[callback]]\nname = \"log\"\nurl = \"https://u:hunter2@crm.example.com/calls\"\n", "test.toml:6:7: url must not carry a password"),
        ("[dial]\nurl = \"https://u:hunter2@pbx.example.com/dial?to={DIALNUM}\"\n", "test.toml:5:7: url must not carry a password"),
        ("[colleagues]\nurl = \"https://u:hunter2@pbx.example.com/c\"\n", "test.toml:5:7: url must not carry a password"),
        ("[pbx]\nsource = \"stream\"\nurl = \"https://u:hunter2@bridge.example.com/e\"\n", "test.toml:6:7: url must not carry a user or password"),
        ("[[directory]]\nname = \"crm\"\ntype = \"http\"\nurl = \"https://u:hunter2@crm.example.com/?n={CALLERNUM}\"\nname_field = \"name\"\n",
         "test.toml:7:7: url must not carry a password"),
        ("[[directory]]\nname = \"book\"\ntype = \"carddav\"\nurl = \"https://u:hunter2@dav.example.com/book/\"\n",
         "test.toml:7:7: url must not carry a password"),
        ("[[directory]]\nname = \"ldap\"\ntype = \"ldap\"\nuri = \"ldap://cn:hunter2@ldap.example.com\"\nbase = \"dc=example\"\n",
         "test.toml:7:7: uri must not carry a password"),
        ("[[popup]]\nname = \"CRM\"\ntrigger = \"on-click\"\napp = [\"browser\", \"--app=https://u:hunter2@crm.example.com/?q={CALLERNAME}\"]\n",
         "test.toml:7:7: app must not carry a password"),
    ])
    func passwordsInURLs(_ section: String, _ expected: String) {
        let found = diagnostics(userHead + section)
        #expect(found.contains { $0.hasPrefix(expected) }, "\(found)")
        #expect(!found.joined().contains("hunter2"))
    }

    @Test func aFIFOAsTokenFileIsAnErrorAtOnce() throws {
        let dir = try TemporaryDirectory()
        let fifo = dir.path + "/token"
        #expect(mkfifo(fifo, 0o600) == 0)
        let found = diagnostics(userHead + "[[callback]]\nname = \"log\"\nurl = \"https://crm.example.com/calls\"\ntoken_file = \"\(fifo)\"\n")
        #expect(found == ["test.toml:7:14: token_file '\(fifo)': this is a FIFO, not a regular file"])
    }

    @Test func theDialAppFollowsTheAppRules() {
        let variableHost = diagnostics(userHead + "[dial]\napp = [\"browser\", \"--app=https://{DIALNUM}/call\"]\n")
        #expect(variableHost.contains { $0.contains("argument 1 of the [dial] app is a URL whose host is not fixed text") }, "\(variableHost)")
        // {DIALNUM} is a dial plan's number: digits, + * #, never an option.
        #expect(diagnostics(userHead + "[dial]\napp = [\"softphone\", \"{DIALNUM}\"]\n").isEmpty)
    }
}
