private import CLDAP
internal import CallPopLookup

/// One blocking libldap connection, used from one dedicated thread and dropped after one
/// lookup. Every step gets only the time left of the lookup's budget (libldap's network and
/// operation timeouts are set before each step), so the thread always ends by the deadline.
final class LDAPSession {
    /// The most values read per attribute, and the most bytes per value.
    static let maximumValues = 64
    static let maximumValueBytes = 4096

    private var handle: OpaquePointer?
    private let settings: LDAPSettings
    private let deadline: ContinuousClock.Instant

    init(_ settings: LDAPSettings) throws(LDAPError) {
        self.settings = settings
        deadline = .now + settings.timeout
        var created: OpaquePointer?
        let rc = ldap_initialize(&created, settings.uri)
        guard rc == LDAP_SUCCESS, let created else {
            throw LDAPError(.invalidSettings, resultCode: rc, "cannot use LDAP URI: \(String(cString: ldap_err2string(rc)))")
        }
        handle = created
        _ = callpop_ldap_set_int(created, LDAP_OPT_PROTOCOL_VERSION, LDAP_VERSION3)
        // A referral would send the bind password to another server: never follow one.
        _ = callpop_ldap_set_off(created, LDAP_OPT_REFERRALS)
        _ = callpop_ldap_set_int(created, LDAP_OPT_X_TLS_REQUIRE_CERT, LDAP_OPT_X_TLS_DEMAND)
        if let caFile = settings.caFile {
            _ = callpop_ldap_set_string(created, LDAP_OPT_X_TLS_CACERTFILE, caFile)
        }
        _ = callpop_ldap_set_int(created, LDAP_OPT_X_TLS_NEWCTX, 0)
    }

    deinit {
        if let handle { ldap_unbind_ext_s(handle, nil, nil) }
    }

    /// StartTLS when configured, then a simple bind when a DN is configured.
    func connect() throws(LDAPError) {
        guard let handle else { return }
        if settings.startTLS {
            let milliseconds = try remainingMilliseconds()
            let rc = ldap_start_tls_s(handle, nil, nil)
            guard rc == LDAP_SUCCESS else { throw failure(rc, step: "StartTLS", tls: true, milliseconds: milliseconds) }
        }
        guard let dn = settings.bindDN else { return }
        let milliseconds = try remainingMilliseconds()
        let password = settings.password?.value ?? ""
        let rc = password.utf8CString.withUnsafeBufferPointer { buffer in
            callpop_ldap_simple_bind(handle, dn, buffer.baseAddress, password.utf8.count)
        }
        guard rc == LDAP_SUCCESS else { throw failure(rc, step: "bind as \(Self.clean(dn))", tls: settings.uri.lowercased().hasPrefix("ldaps:"), milliseconds: milliseconds) }
    }

    /// A subtree search under the base; a size limit reached still returns what came.
    func search(filter: String, attributes: [String]) throws(LDAPError) -> [LDAPEntry] {
        guard let handle else { return [] }
        let milliseconds = try remainingMilliseconds()
        var cAttributes: [UnsafeMutablePointer<CChar>?] = attributes.map { strdup($0) } + [nil]
        defer { cAttributes.forEach { free($0) } }
        var result: OpaquePointer?
        let rc = cAttributes.withUnsafeMutableBufferPointer { buffer in
            callpop_ldap_search(handle, settings.base, filter, buffer.baseAddress, milliseconds, settings.sizeLimit, &result)
        }
        defer { if let result { ldap_msgfree(result) } }
        guard rc == LDAP_SUCCESS || rc == LDAP_SIZELIMIT_EXCEEDED else {
            throw failure(rc, step: "search", tls: settings.uri.lowercased().hasPrefix("ldaps:"), milliseconds: milliseconds)
        }
        var entries: [LDAPEntry] = []
        var entry = ldap_first_entry(handle, result)
        while let current = entry {
            entries.append(read(current, handle))
            entry = ldap_next_entry(handle, current)
        }
        return entries
    }

    private func read(_ entry: OpaquePointer, _ handle: OpaquePointer) -> LDAPEntry {
        var dn = ""
        if let raw = ldap_get_dn(handle, entry) {
            dn = String(cString: raw)
            ldap_memfree(raw)
        }
        var attributes: [String: [String]] = [:]
        var ber: OpaquePointer?
        var name = ldap_first_attribute(handle, entry, &ber)
        while let current = name {
            let attribute = String(cString: current)
            if let values = ldap_get_values_len(handle, entry, current) {
                let count = min(Int(ldap_count_values_len(values)), Self.maximumValues)
                attributes[attribute] = (0..<count).map { index in
                    let length = min(callpop_ldap_value_length(values, Int32(index)), Self.maximumValueBytes)
                    let bytes = UnsafeRawBufferPointer(start: callpop_ldap_value_bytes(values, Int32(index)), count: length)
                    return String(decoding: bytes, as: UTF8.self)
                }
                ldap_value_free_len(values)
            }
            ldap_memfree(current)
            name = ldap_next_attribute(handle, entry, ber)
        }
        if let ber { ber_free(ber, 0) }
        return LDAPEntry(dn: dn, attributes: attributes)
    }

    /// The time left, set as libldap's connect and operation timeouts; a timeout error when none is left.
    private func remainingMilliseconds() throws(LDAPError) -> Int {
        let left = deadline - .now
        let milliseconds = Int(left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000)
        guard milliseconds > 0 else { throw LDAPError(.timeout, resultCode: LDAP_TIMEOUT, "LDAP server did not answer within \(settings.timeout)") }
        if let handle {
            _ = callpop_ldap_set_timeout(handle, LDAP_OPT_NETWORK_TIMEOUT, milliseconds)
            _ = callpop_ldap_set_timeout(handle, LDAP_OPT_TIMEOUT, milliseconds)
        }
        return milliseconds
    }

    private func failure(_ rc: Int32, step: String, tls: Bool, milliseconds: Int) -> LDAPError {
        var message = "LDAP \(step) failed: \(String(cString: ldap_err2string(rc)))"
        if let handle, let raw = callpop_ldap_diagnostic(handle) {
            let diagnostic = Self.clean(String(cString: raw))
            ldap_memfree(raw)
            if !diagnostic.isEmpty { message += " (\(diagnostic))" }
        }
        var code: LDAPError.Code
        switch rc {
        case LDAP_INVALID_CREDENTIALS: code = .invalidCredentials
        case LDAP_TIMEOUT, LDAP_TIMELIMIT_EXCEEDED: code = .timeout
        case LDAP_SERVER_DOWN, LDAP_CONNECT_ERROR, LDAP_UNAVAILABLE: code = .serverDown
        default: code = step == "StartTLS" ? .tlsFailed : .searchFailed
        }
        if step == "StartTLS", code == .serverDown || code == .searchFailed { code = .tlsFailed }
        if tls, code == .serverDown, answersWithoutCertificateCheck() {
            // libldap says "Can't contact LDAP server" for a refused connection and for a TLS
            // handshake that failed alike; a server that answers once the certificate is not
            // checked is up, and its certificate is the problem.
            code = .tlsFailed
            message += ": the server's TLS certificate is not trusted (set the CA file) or TLS failed"
        }
        if code == .timeout || (code == .serverDown && deadline - .now <= .zero) {
            message += " after \(milliseconds) ms"
        }
        return LDAPError(code, resultCode: rc, message)
    }

    /// Whether the server answers a TLS connection when its certificate is not checked. Only
    /// connects (nothing is sent, no credentials), within the time left.
    private func answersWithoutCertificateCheck() -> Bool {
        let left = deadline - .now
        guard left > .milliseconds(10) else { return false }
        var probe: OpaquePointer?
        guard ldap_initialize(&probe, settings.uri) == LDAP_SUCCESS, let probe else { return false }
        defer { ldap_unbind_ext_s(probe, nil, nil) }
        let milliseconds = Int(left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000)
        _ = callpop_ldap_set_int(probe, LDAP_OPT_PROTOCOL_VERSION, LDAP_VERSION3)
        _ = callpop_ldap_set_int(probe, LDAP_OPT_X_TLS_REQUIRE_CERT, LDAP_OPT_X_TLS_NEVER)
        _ = callpop_ldap_set_int(probe, LDAP_OPT_X_TLS_NEWCTX, 0)
        _ = callpop_ldap_set_timeout(probe, LDAP_OPT_NETWORK_TIMEOUT, milliseconds)
        _ = callpop_ldap_set_timeout(probe, LDAP_OPT_TIMEOUT, milliseconds)
        return ldap_connect(probe) == LDAP_SUCCESS
    }

    /// Server text for a log line: printable, one line, short.
    private static func clean(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F && !(0x80...0x9F).contains($0.value) }.prefix(200)))
    }
}
