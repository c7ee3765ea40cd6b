import CallPopCore
import Testing

/// Design holes found in review: the caller must not choose the site or climb the path.
@Suite("URL rules: fixed host, no dot segments")
struct URLSafetyDesignTests {
    func variables(name: String) -> CallVariables {
        CallVariables(
            event: CallEvent(callID: "1", state: .ringing, direction: .incoming, remoteNumber: "+15551234567", remoteName: name),
            user: UserIdentity(number: "201"))
    }

    @Test("a template whose host is a variable has no fixed authority", arguments: [
        ("https://{CALLERNAME}/x", false), ("https://crm.example.com{CALLERNAME}/x", false),
        ("https://crm.example.com/{CALLERNAME}", true), ("https://crm.example.com?q={CALLERNAME}", true),
        ("https://crm.example.com#{CALLERNAME}", true), ("tel:{CALLERNUM}", true), ("https://crm.example.com/", true),
        ("{CALLERNAME}s://crm.example.com/", false), ("{CALLERNAME}://crm.example.com/", false),
        ("x-crm:/://co={USERNAME}F", false), ("x-crm:/://co/{USERNAME}", true),
        ("x-crm://\u{301}co={CALLERNAME}", false),
    ])
    func fixedAuthority(template: String, fixed: Bool) throws {
        #expect(try Template(parsing: template).hasFixedAuthority == fixed)
    }

    /// Found while writing the fuzz checker: the loader refuses a URL that starts with a
    /// variable, but the launch step let a value choose the scheme of `{CALLERNAME}s://host/`.
    @Test func aValueCannotChooseTheSchemeAtLaunch() throws {
        let target = PopupTarget.url(try Template(parsing: "{CALLERNAME}s://crm.example.com/x"))
        #expect(throws: LaunchRefusal.url(.hostNotFixed)) { try target.plan(variables(name: "http"), policy: LaunchPolicy()) }
    }

    /// Found by fuzzing (Tests/Fixtures/fuzz/template/host-after-a-value-in-a-scheme-slash-url):
    /// the load check took the first `://` as the host's start, the launch check only a `//`
    /// right after the scheme, so for `x-crm:/://co={USERNAME}F` the launch step skipped the
    /// host check that the fuzz checker (and a handler reading the first `://`) expects. Both
    /// now read the host after the first `://`, in bytes.
    @Test func aHostAfterTheFirstColonSlashSlashIsFixedEverywhere() throws {
        let template = try Template(parsing: "x-crm:/://co={USERNAME}F")
        #expect(template.fixedURLScheme == nil)
        let target = PopupTarget.url(template)
        let policy = LaunchPolicy(allowedSchemes: ["http", "https", "x-crm"])
        #expect(throws: LaunchRefusal.url(.hostNotFixed)) { try target.plan(variables(name: "x"), policy: policy) }
        let fixed = PopupTarget.url(try Template(parsing: "x-crm:/://co/{CALLERNAME}"))
        #expect(try fixed.plan(variables(name: "a/b"), policy: policy).url == "x-crm:/://co/a%2Fb")
    }

    @Test("a value forming a whole . or .. path segment is refused; in the query it is harmless")
    func dotSegments() throws {
        let path = PopupTarget.url(try Template(parsing: "https://crm.example.com/contacts/{CALLERNAME}/edit"))
        for name in [".", ".."] {
            #expect(throws: LaunchRefusal.url(.dotSegment)) { try path.plan(variables(name: name), policy: LaunchPolicy()) }
        }
        #expect(try path.plan(variables(name: "..."), policy: LaunchPolicy()).url == "https://crm.example.com/contacts/.../edit")
        let query = PopupTarget.url(try Template(parsing: "https://crm.example.com/contacts?name={CALLERNAME}"))
        #expect(try query.plan(variables(name: ".."), policy: LaunchPolicy()).url == "https://crm.example.com/contacts?name=..")
    }
}
