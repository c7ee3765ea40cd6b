import CallPopCore
import CallPopLookup
import CallPopTestSupport
import Testing

@Suite struct LDAPQueryTests {
    static let matcher = NumberMatcher(plan: NumberPlan(countryCode: "49"))

    @Test(arguments: [
        ("*)(uid=*", "\\2a\\29\\28uid=\\2a"),
        ("a\\b", "a\\5cb"),
        ("nul\u{0}x", "nul\\00x"),
        ("Müller", "M\\c3\\bcller"),
        ("+49 40 123-4567", "+49 40 123-4567"),
        ("\r\n", "\\0d\\0a"),
    ])
    func escapesPerRFC4515(value: String, escaped: String) {
        #expect(LDAPFilterValue.escape(value) == escaped)
    }

    @Test func defaultFilterSearchesTheLastDigitsOfEveryNumberAttribute() throws {
        let query = LDAPQuery(directory: "ldap", matcher: Self.matcher, template: try LDAPFilterTemplate())
        #expect(query.filter(for: "+49 40 1234567") == "(|(telephoneNumber=*1234567)(mobile=*1234567)(homePhone=*1234567))")
        #expect(query.filter(for: "201") == "(|(telephoneNumber=201)(mobile=201)(homePhone=201))", "extensions are matched exactly")
        #expect(query.requestedAttributes == ["telephoneNumber", "mobile", "homePhone", "displayName", "cn", "o", "company", "labeledURI"])
    }

    @Test func numberPlaceholderExpandsOncePerForm() throws {
        let template = try LDAPFilterTemplate("(telephoneNumber={NUMBER})")
        #expect(template.filter(for: "040 1234567", matcher: Self.matcher)
            == "(|(telephoneNumber=+49401234567)(telephoneNumber=0049401234567)(telephoneNumber=0401234567)(telephoneNumber=040 1234567))")
    }

    /// Hostile caller numbers: no filter at all, or one where the hostile text is an escaped literal.
    @Test(arguments: ["*)(uid=*", "*", "*)(|(objectClass=*", "\u{0}", ")(", "1234567*)(uid=*", "*)(uid=*)(telephoneNumber=0401234567"])
    func injectionNeverBecomesFilterSyntax(number: String) throws {
        for source in [LDAPFilterTemplate.standard, "(|(telephoneNumber={NUMBER})(mobile={NUMBER}))"] {
            let template = try LDAPFilterTemplate(source)
            guard let filter = template.filter(for: number, matcher: Self.matcher) else { continue }
            // The filter's structure (parentheses, operators, wildcards) is the template's, or
            // an OR of one copy per number form: the number added no syntax of its own (a `=` inside
            // a value is a literal in RFC 4515).
            let structure = filter.filter { "()*|&!".contains($0) }
            // The one wildcard the template may get is the one {LAST} adds for long numbers.
            let wildcard = (Self.matcher.number(number)?.digits.count ?? 0) >= Self.matcher.minimumDigits ? "*" : ""
            let copy = source.replacing("{LAST}", with: wildcard).filter { "()*|&!".contains($0) }
            let copies = (2...6).map { "(|" + String(repeating: copy, count: $0) + ")" }
            #expect(structure == copy || copies.contains(structure), "\(filter)")
        }
    }

    @Test(arguments: [
        ("telephoneNumber={NUMBER}", 1, "one parenthesised filter"),
        ("(a=b))(c=d)", 5, "unbalanced"),
        ("(telephoneNumber={number})", 18, "did you mean {NUMBER}"),
        ("(telephoneNumber={PHONE})", 18, "use {NUMBER} or {LAST}"),
        ("(telephoneNumber={NUMBER)", 18, "unclosed {"),
        ("((a=b)", 6, "unbalanced"),
    ])
    func refusesBadTemplatesWithAColumn(source: String, column: Int, message: String) {
        do {
            _ = try LDAPFilterTemplate(source)
            Issue.record("accepted \(source)")
        } catch {
            #expect(error.code == .invalidFilterTemplate)
            #expect(error.column == column, "\(error)")
            #expect(error.message.contains(message), "\(error)")
        }
    }

    @Test func entriesBecomeContactsOnlyWhenANumberReallyMatches() throws {
        let query = LDAPQuery(directory: "corp", matcher: Self.matcher, template: try LDAPFilterTemplate())
        let entries = [
            LDAPEntry(dn: "uid=a,ou=people,dc=example,dc=com", attributes: [
                "cn": ["Anna A"], "o": ["Example"], "telephoneNumber": ["+49 (0)40 1234567"], "labeledURI": ["https://crm.example/a Anna's page"],
            ]),
            // Same last digits, another area code: found by the substring filter, refused here.
            LDAPEntry(dn: "uid=b,ou=people,dc=example,dc=com", attributes: ["cn": ["Bert B"], "mobile": ["030 1234567"]]),
            LDAPEntry(dn: "uid=c,ou=people,dc=example,dc=com", attributes: ["CN": ["Carl C"], "DisplayName": ["Carl"], "HOMEPHONE": ["0049401234567"]]),
        ]
        let contacts = query.contacts(for: "040/1234567", in: entries)
        #expect(contacts.map(\.name) == ["Anna A", "Carl"])
        #expect(contacts.first?.url == "https://crm.example/a")
        #expect(contacts.first?.id == "uid=a,ou=people,dc=example,dc=com")
        #expect(contacts.first?.organisation == "Example")
        #expect(query.contacts(for: "*)(uid=*", in: entries).isEmpty)
    }
}
