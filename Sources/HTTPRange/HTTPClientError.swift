import Foundation

/// Why ``HTTPClient`` could not get an answer: transport failures (after retries), redirect
/// problems (RFC 9110 §15.4) and URLs it does not handle. Every URL in a message is shown without
/// credentials.
public enum HTTPClientError: Error, Sendable, Equatable, CustomStringConvertible, LocalizedError {
    /// Only `http` and `https` URLs are fetched.
    case unsupportedScheme(url: String)
    /// More than `limit` redirects (usually a loop).
    case tooManyRedirects(url: String, limit: Int)
    /// A redirect pointed to something other than `http`/`https`.
    case redirectToUnsupportedScheme(url: String, location: String)
    /// The server kept answering with a 5xx or 429 status.
    case serverUnavailable(url: String, status: Int, attempts: Int)
    /// A 429 or 503 asked, with `Retry-After`, for a longer wait than the client makes.
    case retryAfterTooLong(url: String, status: Int, seconds: Double, limit: Double)
    /// No answer within the timeout.
    case timedOut(url: String, seconds: Double, attempts: Int)
    /// Bytes kept arriving, too slowly: the attempt ran out of its deadline (not retried).
    case attemptDeadlineExceeded(url: String, seconds: Double, receivedBytes: Int64, attempts: Int)
    /// The connection failed or broke before the whole answer arrived.
    case connectionFailed(url: String, reason: String, attempts: Int)
    /// The server (401) or a proxy (407) asked for credentials, or refused those sent. Never retried.
    case authenticationRequired(url: String, status: Int, realm: String?)
    /// The server's TLS certificate could not be verified (`detail` is the TLS library's reason).
    /// Never retried.
    case certificateNotTrusted(host: String, detail: String)
    /// A page or metadata file went on past `limit` bytes: the transfer was stopped there rather
    /// than hold more (a server sending without end, or the wrong URL).
    case answerTooLarge(url: String, limit: Int)

    public var description: String {
        switch self {
        case let .unsupportedScheme(url):
            return "cannot fetch \(url): only http and https URLs are supported"
        case let .tooManyRedirects(url, limit):
            return "\(url) redirected more than \(limit) times (a redirect loop?); check the URL or the server configuration"
        case let .redirectToUnsupportedScheme(url, location):
            return "\(url) redirected to \(location), which is not an http or https URL"
        case let .serverUnavailable(url, status, attempts):
            return "\(url) answered HTTP \(status) \(HTTPClientError.reasonPhrase(status)) \(HTTPClientError.times(attempts)); the server may be overloaded or down, try again later"
        case let .retryAfterTooLong(url, status, seconds, limit):
            return "\(url) answered HTTP \(status) \(HTTPClientError.reasonPhrase(status)) and asked to retry after \(HTTPClientError.seconds(seconds)), longer than the \(HTTPClientError.seconds(limit)) lazywheel waits; try again later"
        case let .timedOut(url, seconds, attempts):
            return "\(url) did not answer within \(HTTPClientError.seconds(seconds)) \(HTTPClientError.times(attempts)); check the network or raise the timeout (--timeout, or $\(HTTPClientConfiguration.timeoutVariable))"
        case let .attemptDeadlineExceeded(url, seconds, received, attempts):
            let bytes = received == 1 ? "1 byte" : "\(received) bytes"
            return "\(url) sent only \(bytes) in \(HTTPClientError.seconds(seconds)) \(HTTPClientError.times(attempts)); the attempt deadline ended the transfer (the server is too slow or stalls on purpose); raise it with --attempt-deadline or $\(HTTPClientConfiguration.attemptDeadlineVariable) if the server is just slow"
        case let .connectionFailed(url, reason, attempts):
            return "fetching \(url) failed \(HTTPClientError.times(attempts)): \(reason)"
        case let .authenticationRequired(url, 407, _):
            return "\(url): the proxy answered HTTP 407 Proxy Authentication Required; put the proxy's credentials in its URL (HTTPS_PROXY=http://USER:PASSWORD@HOST:PORT, HTTP_PROXY, ALL_PROXY, or pip's proxy setting); they are sent to the proxy only"
        case let .authenticationRequired(url, status, realm):
            let realmText = realm.map { " (realm \"\($0)\")" } ?? ""
            return "\(url) answered HTTP \(status) Unauthorized\(realmText): the index needs credentials, or refused those sent. lazywheel reads them from \(HTTPClientError.credentialSources)"
        case let .certificateNotTrusted(host, detail):
            return "the certificate of host \(host) is not trusted: \(detail); set SSL_CERT_FILE (or SSL_CERT_DIR) or pip's cert (--cert, PIP_CERT, cert = in pip.conf) to the CA bundle that signed it, or name the host in pip's trusted-host / uv's allow-insecure-host to skip verification"
        case let .answerTooLarge(url, limit):
            return "\(url) sent more than \(limit >> 20) MiB, more than an index page or metadata file holds; lazywheel stopped reading it (the server may be sending without end, or the URL is not an index page)"
        }
    }

    public var errorDescription: String? { description }

    /// Whether the server (not a proxy) answered 401.
    public var isUnauthorized: Bool {
        if case .authenticationRequired(_, 401, _) = self { return true }
        return false
    }

    /// Where credentials for an index come from, in the order they are looked up (README, "Configuration").
    public static let credentialSources =
        "the index URL (https://USER:PASSWORD@HOST/…), UV_INDEX_<NAME>_USERNAME and UV_INDEX_<NAME>_PASSWORD for a named [[index]] in uv.toml, the netrc file ($NETRC, else ~/.netrc), and the keyring (--keyring-provider subprocess, PIP_KEYRING_PROVIDER, UV_KEYRING_PROVIDER)"

    private static func times(_ attempts: Int) -> String {
        attempts == 1 ? "(1 attempt)" : "(\(attempts) attempts)"
    }

    private static func seconds(_ value: Double) -> String {
        if value < 1 { return "\(Int((value * 1000).rounded())) ms" }
        return value == value.rounded() ? "\(Int(value)) s" : "\(value) s"
    }

    static func reasonPhrase(_ status: Int) -> String {
        switch status {
        case 429: return "Too Many Requests"
        case 500: return "Internal Server Error"
        case 502: return "Bad Gateway"
        case 503: return "Service Unavailable"
        case 504: return "Gateway Timeout"
        default: return ""
        }
    }
}
