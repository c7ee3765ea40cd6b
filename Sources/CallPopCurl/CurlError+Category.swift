private import CCurl

extension CurlError {
    /// What kind of failure a `CURLcode` is, for callers that decide whether to retry.
    public enum Category: Sendable, Hashable {
        /// The name did not resolve, or the connection was refused or unreachable.
        case connect
        /// A time limit passed (connecting or the whole transfer).
        case timeout
        /// TLS: the handshake failed, or the certificate or host name did not verify.
        case tls
        /// The response was larger than allowed.
        case tooLarge
        /// The transfer was abandoned on purpose (a callback said stop).
        case aborted
        /// The connection broke or the peer spoke something that is not HTTP.
        case transfer
        /// The request itself is unusable (a malformed URL, an unsupported scheme).
        case request
    }

    /// The kind of failure.
    public var category: Category {
        guard code >= 0 else { return .request }
        return switch CURLcode(rawValue: UInt32(code)) {
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY, CURLE_COULDNT_CONNECT: .connect
        case CURLE_OPERATION_TIMEDOUT: .timeout
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CACERT_BADFILE, CURLE_SSL_CERTPROBLEM,
             CURLE_SSL_CIPHER, CURLE_SSL_ISSUER_ERROR, CURLE_SSL_PINNEDPUBKEYNOTMATCH, CURLE_SSL_INVALIDCERTSTATUS,
             CURLE_SSL_CRL_BADFILE, CURLE_SSL_ENGINE_INITFAILED:
            .tls
        case CURLE_FILESIZE_EXCEEDED: .tooLarge
        case CURLE_WRITE_ERROR, CURLE_ABORTED_BY_CALLBACK: .aborted
        case CURLE_URL_MALFORMAT, CURLE_UNSUPPORTED_PROTOCOL, CURLE_BAD_FUNCTION_ARGUMENT, CURLE_NOT_BUILT_IN: .request
        default: .transfer
        }
    }
}
