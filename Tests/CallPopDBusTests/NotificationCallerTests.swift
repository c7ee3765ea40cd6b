import CallPopCore
import Testing
@testable import CallPopDBus

/// Who calls, as the notification body says it: the contact caller lookup found, its
/// organisation, the number, and the PBX's name when it says something else.
struct NotificationCallerTests {
    func body(number: String = "+49 40 1234567", pbx: String, contact: String = "", organisation: String = "", markup: Bool = true) -> String {
        var notice = CallNotice(callID: "c", direction: .incoming, phase: .ringing, remoteNumber: number, remoteName: pbx, actions: [])
        notice.contactName = contact
        notice.contactOrganisation = organisation
        return NotificationContent(
            notice: notice, settings: NotificationSettings(), capabilities: ServerCapabilities(markup ? ["body-markup"] : [])
        ).body
    }

    @Test func withoutAContactThePBXNameShows() {
        #expect(body(pbx: "ZENTRALE") == "<b>ZENTRALE</b>\n+49 40 1234567")
        #expect(body(number: "", pbx: "") == "Unknown caller")
    }

    @Test func theContactShowsWithItsOrganisationAndThePBXNameWhenItDiffers() {
        #expect(body(pbx: "ZENTRALE", contact: "Anna Alster", organisation: "Alster GmbH")
            == "<b>Anna Alster</b>\nAlster GmbH\n+49 40 1234567 · PBX: ZENTRALE")
        // The PBX saying the same (in any case), or the organisation, is not repeated.
        #expect(body(pbx: "anna alster", contact: "Anna Alster", organisation: "Alster GmbH") == "<b>Anna Alster</b>\nAlster GmbH\n+49 40 1234567")
        #expect(body(pbx: "Alster GmbH", contact: "Anna Alster", organisation: "Alster GmbH") == "<b>Anna Alster</b>\nAlster GmbH\n+49 40 1234567")
        #expect(body(pbx: "", contact: "Anna Alster") == "<b>Anna Alster</b>\n+49 40 1234567")
        #expect(body(number: "", pbx: "X", contact: "Anna Alster") == "<b>Anna Alster</b>\nPBX: X")
    }

    @Test func contactTextIsCleanedAndEscapedLikeCallerID() {
        #expect(body(pbx: "", contact: "<i>Eve</i>\u{202E}", organisation: "A & B\n") == "<b>&lt;i&gt;Eve&lt;/i&gt;</b>\nA &amp; B\n+49 40 1234567")
        #expect(body(pbx: "", contact: "<i>Eve</i>", markup: false) == "<i>Eve</i>\n+49 40 1234567")
    }
}
