import CallPopLDAP
import CallPopTestSupport

extension TestSlapd {
    /// Settings for this server: the reader's bind, the people's base.
    func settings(
        uri: String? = nil, startTLS: Bool = false, bindDN: String? = TestSlapd.readerDN, password: String = TestSlapd.readerPassword,
        timeout: Duration = .seconds(3), caFile: String? = nil
    ) -> LDAPSettings {
        LDAPSettings(
            uri: uri ?? self.uri, startTLS: startTLS, bindDN: bindDN, password: LDAPPassword(password),
            base: TestSlapd.base, timeout: timeout, caFile: caFile)
    }
}
