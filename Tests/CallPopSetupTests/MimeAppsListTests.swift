@testable import CallPopSetup
import Testing

/// Removing callpop's default from `mimeapps.list`, and nothing else.
@Suite struct MimeAppsListTests {
    @Test func removesOnlyCallpopFromTheDefaults() {
        let text = """
            [Added Associations]
            x-scheme-handler/tel=callpop-dial.desktop;
            [Default Applications]
            text/html=firefox.desktop
            x-scheme-handler/tel = callpop-dial.desktop;org.example.Softphone.desktop;
            x-scheme-handler/sip=callpop-dial.desktop
            """
        let once = MimeAppsList.removingDefault(text, mimeType: "x-scheme-handler/tel", desktopID: "callpop-dial.desktop")
        #expect(once == """
            [Added Associations]
            x-scheme-handler/tel=callpop-dial.desktop;
            [Default Applications]
            text/html=firefox.desktop
            x-scheme-handler/tel=org.example.Softphone.desktop;
            x-scheme-handler/sip=callpop-dial.desktop
            """)
        let twice = once.flatMap { MimeAppsList.removingDefault($0, mimeType: "x-scheme-handler/sip", desktopID: "callpop-dial.desktop") }
        #expect(twice?.hasSuffix("x-scheme-handler/tel=org.example.Softphone.desktop;") == true)
        #expect(MimeAppsList.removingDefault(text, mimeType: "x-scheme-handler/callto", desktopID: "callpop-dial.desktop") == nil)
        #expect(MimeAppsList.removingDefault(text, mimeType: "text/html", desktopID: "callpop-dial.desktop") == nil)
    }
}
