import Foundation
import PackageIndex

/// What a client can set in `initialize`'s `initializationOptions` (see protocol/PROTOCOL.md).
public struct ServerOptions: Codable, Sendable, Equatable {
    /// Bytes of fetched wheel data kept in the session's caches before the least recently used
    /// wheels' cached bytes are evicted (their central-directory indexes stay). Default 256 MiB.
    public var memoryBudgetBytes: Int64?
    /// Append log lines to this file instead of standard error.
    public var logFile: String?
    /// Whether `file://` URLs and paths may be opened. Default: the `--allow-files` flag.
    public var allowFileURLs: Bool?
    /// Package index for `getMetadata {project}` and `resolve` (overrides the environment).
    public var indexUrl: String?
    /// More package indexes.
    public var extraIndexUrls: [String]?
    /// Local directories or pages of links to wheels and sdists.
    public var findLinks: [String]?
    /// Target Python version, e.g. "3.12" (default: the host's python3, else 3.12).
    public var python: String?
    /// Target platform tag, e.g. "manylinux_2_28_x86_64" (default: the host).
    public var platform: String?
    /// Largest `readRange` length and `readEntry` size, in bytes. Default 64 MiB.
    public var maxReadBytes: Int64?
    /// Seconds without a byte arriving before an HTTP attempt is abandoned (0 < seconds ≤ 86400).
    /// Default: the `--timeout` flag, else `$LAZYWHEEL_HTTP_TIMEOUT`, else 30.
    public var httpTimeout: Double?
    /// Times a failed HTTP request is repeated with exponential backoff (0…100). Default: the
    /// `--retries` flag, else `$LAZYWHEEL_HTTP_RETRIES`, else 3.
    public var httpRetries: Int?
    /// CA bundle (PEM file or directory) to trust instead of the system's. Default: `--cert`,
    /// `$PIP_CERT`, pip.conf `cert`, `$SSL_CERT_FILE`/`$SSL_CERT_DIR` (README, "Configuration").
    public var cert: String?
    /// Client certificate and key in one PEM file. Default: `--client-cert`, `$PIP_CLIENT_CERT`, pip.conf.
    public var clientCert: String?
    /// Hosts (or `host:port`) whose certificates are not verified, added to pip's and uv's.
    public var trustedHosts: [String]?
    /// Proxy for every request. Default: `--proxy`, `$PIP_PROXY`, pip.conf, `$HTTPS_PROXY`/`$HTTP_PROXY`/`$ALL_PROXY`.
    public var proxy: String?
    /// `subprocess` to ask `keyring get URL USER` after a 401; `disabled`. Default: `--keyring-provider`,
    /// `$PIP_KEYRING_PROVIDER`, `$UV_KEYRING_PROVIDER`, pip.conf, uv.toml.
    public var keyringProvider: String?
    /// Seconds one HTTP attempt may take in all, however steadily bytes arrive (0 < seconds ≤
    /// 86400); an attempt past it is given up on, without retry. Default: the `--attempt-deadline`
    /// flag, else `$LAZYWHEEL_HTTP_ATTEMPT_DEADLINE`, else 120.
    public var httpAttemptDeadline: Double?

    public init() {}

    /// The transport settings these options name (nil fields fall back to the environment).
    var transportOptions: TransportOptions {
        TransportOptions(certificateAuthority: cert, clientCertificate: clientCert, trustedHosts: trustedHosts ?? [], proxy: proxy)
    }

    public static let defaultMemoryBudget: Int64 = 256 << 20
    public static let defaultMaxReadBytes: Int64 = 64 << 20
}
