import CallPopCore
import Testing

/// Every worked example of the reference (`popup-feature.md`), with the exact final URL or argv.
@Suite("Worked examples from the reference")
struct WorkedExamplesTests {
    let policy = LaunchPolicy()

    @Test func ticketCreationPage() throws {
        let target = try urlTarget(
            "https://desk.example.com/tickets/new?To={CALLERNAME}&Subject=New%20Ticket%20from%20{USERNAME}&From={CALLERNUM}")
        let plan = try target.plan(variables(), policy: policy)
        let url = "https://desk.example.com/tickets/new?To=John%20Doe&Subject=New%20Ticket%20from%20John%20Doe&From=%2B442071234567"
        #expect(plan.action == .url)
        #expect(plan.url == url)
        #expect(plan.argv == ["xdg-open", url])
        #expect(plan.environment.isEmpty)
    }

    @Test func solve360NumberNormalisation() throws {
        let target = try urlTarget("https://secure.solve360.com/contact/phonenumber/0{CALLERNUM:3}")
        let plan = try target.plan(variables(number: "+442071234567"), policy: policy)
        #expect(plan.url == "https://secure.solve360.com/contact/phonenumber/02071234567")
        #expect(plan.argv == ["xdg-open", "https://secure.solve360.com/contact/phonenumber/02071234567"])
    }

    @Test func windowsAppLineWithCaretAmpersand() throws {
        let target = try appTarget(
            #""C:\Program Files\Internet Explorer\iexplore.exe" http://host/page?Subaction=StoreNew^&To={CALLERNAME}^&From={CALLERNUM}"#)
        let plan = try target.plan(variables(), policy: policy)
        #expect(plan.action == .app)
        #expect(plan.url == nil)
        #expect(plan.argv == [
            #"C:\Program Files\Internet Explorer\iexplore.exe"#,
            "http://host/page?Subaction=StoreNew&To=John%20Doe&From=%2B442071234567",
        ])
        #expect(plan.environment["CALLPOP_CALLERNAME"] == "John Doe")
        #expect(plan.environment["CALLPOP_CALLERNUM"] == "+442071234567")
    }

    @Test func olderAppSyntaxWithQuotedURL() throws {
        let target = try appTarget(#"iexplorer.exe "http://host/page?param1={USERNAME}&Department=Support&Number={CALLERNUM}""#)
        let plan = try target.plan(variables(), policy: policy)
        #expect(plan.argv == [
            "iexplorer.exe", "http://host/page?param1=John%20Doe&Department=Support&Number=%2B442071234567",
        ])
    }

    @Test func clidPlaceholder() throws {
        let url = try urlTarget("https://crm.example.com/search?q=<<clid>>").plan(variables(), policy: policy).url
        #expect(url == "https://crm.example.com/search?q=%2B442071234567")
        // In an app argument that is not a URL the raw number is passed, as one argument.
        let argv = try appTarget("crm-lookup --number <<clid>>").plan(variables(), policy: policy).argv
        #expect(argv == ["crm-lookup", "--number", "+442071234567"])
        // On outgoing calls it is the called number.
        let outgoing = variables(number: "02079460000", name: "", direction: .outgoing)
        #expect(try appTarget("crm-lookup <<clid>>").plan(outgoing, policy: policy).argv == ["crm-lookup", "02079460000"])
    }

    @Test func callbackStyleURLWithEveryVariable() throws {
        let target = try urlTarget(
            "https://crm.example.com/calls?cname={CALLERNAME}&cnum={CALLERNUM}&uname={USERNAME}&unum={USERNUM}&cdirection={CALLTYPE}&ch={CHANNEL}&tags={TAGS}")
        #expect(try target.plan(variables(), policy: policy).url
            == "https://crm.example.com/calls?cname=John%20Doe&cnum=%2B442071234567&uname=John%20Doe&unum=201&cdirection=incoming&ch=PJSIP%2F201-00000001&tags=vip%2Csales")
    }

    @Test func namesWithAccentsArriveIntact() throws {
        let target = try urlTarget("https://crm.example.com/?name={CALLERNAME}")
        let plan = try target.plan(variables(name: "Zo\u{EB} \u{C5}ngstr\u{F6}m"), policy: policy)
        #expect(plan.url == "https://crm.example.com/?name=Zo%C3%AB%20%C3%85ngstr%C3%B6m")
        // App arguments get the name itself.
        let app = try appTarget(argv: ["notify-send", "{CALLERNAME}"]).plan(variables(name: "Zo\u{EB} \u{C5}ngstr\u{F6}m"), policy: policy)
        #expect(app.argv == ["notify-send", "Zo\u{EB} \u{C5}ngstr\u{F6}m"])
    }

    @Test func calledNumberOfTheLine() throws {
        let target = try urlTarget("https://crm.example.com/?did={CALLEDNUM:e164}&from={CALLERNUM:national}")
        #expect(try target.plan(variables(called: "02079460000"), policy: policy).url
            == "https://crm.example.com/?did=%2B442079460000&from=02071234567")
    }

    @Test func customOpenerLeadsTheArgv() throws {
        let policy = LaunchPolicy(opener: ["firefox", "--new-tab"], allowedSchemes: ["https"])
        let plan = try urlTarget("https://crm.example.com/?n={CALLERNUM}").plan(variables(), policy: policy)
        #expect(plan.argv == ["firefox", "--new-tab", "https://crm.example.com/?n=%2B442071234567"])
    }
}
