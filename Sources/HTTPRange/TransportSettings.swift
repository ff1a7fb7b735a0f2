import Foundation

#if canImport(CurlTransport)
import CurlTransport
#endif

/// How this process reaches servers beyond what a URL says: which certificate authorities it
/// trusts, the client certificate it presents, the hosts whose certificates are not checked, and
/// the proxies it goes through. Resolved from pip's and uv's settings and the environment by
/// `PackageIndex.TransportConfiguration`; see the README, "Configuration".
///
/// On Linux FoundationNetworking gives libcurl none of these (its proxy dictionary is ignored
/// there), so ``apply()`` hands them to `Sources/CurlTransport`, which sets them on every transfer.
public struct TransportSettings: Sendable, Equatable {
    /// A PEM bundle of the certificate authorities to trust, replacing the system's.
    public var certificateAuthorityFile: String?
    /// A directory of hashed CA certificates (OpenSSL's `c_rehash` layout), replacing the system's.
    public var certificateAuthorityDirectory: String?
    /// A PEM file with the client certificate (and its key, unless ``clientKeyFile`` is given).
    public var clientCertificateFile: String?
    public var clientKeyFile: String?
    /// Hosts (`host` or `host:port`) whose TLS certificates are not verified.
    public var insecureHosts: [String]
    /// The proxy for `http` URLs, as a URL (`http://USER:PASSWORD@HOST:PORT`); credentials go to the proxy only.
    public var httpProxy: String?
    /// The proxy for `https` URLs (reached with `CONNECT`).
    public var httpsProxy: String?
    /// Hosts, domains (`.example.com`), addresses or `*` reached without a proxy, comma-separated.
    public var noProxy: String?

    public init(
        certificateAuthorityFile: String? = nil, certificateAuthorityDirectory: String? = nil,
        clientCertificateFile: String? = nil, clientKeyFile: String? = nil, insecureHosts: [String] = [],
        httpProxy: String? = nil, httpsProxy: String? = nil, noProxy: String? = nil
    ) {
        self.certificateAuthorityFile = certificateAuthorityFile
        self.certificateAuthorityDirectory = certificateAuthorityDirectory
        self.clientCertificateFile = clientCertificateFile
        self.clientKeyFile = clientKeyFile
        self.insecureHosts = insecureHosts
        self.httpProxy = httpProxy
        self.httpsProxy = httpsProxy
        self.noProxy = noProxy
    }

    /// Makes these the settings of every later transfer of the process (libcurl handles do not know
    /// which session made them, so this cannot be per ``HTTPClient``). Does not load libcurl.
    public func apply() {
        #if canImport(CurlTransport)
        func duplicate(_ text: String?) -> UnsafeMutablePointer<CChar>? { text.flatMap { strdup($0) } }
        var settings = lazywheel_transport_settings(
            configured: 1,
            ca_file: duplicate(certificateAuthorityFile),
            ca_directory: duplicate(certificateAuthorityDirectory),
            client_certificate: duplicate(clientCertificateFile),
            client_key: duplicate(clientKeyFile),
            insecure_hosts: duplicate(insecureHosts.isEmpty ? nil : insecureHosts.joined(separator: "\n")),
            http_proxy: duplicate(httpProxy),
            https_proxy: duplicate(httpsProxy),
            no_proxy: duplicate(noProxy))
        lazywheel_curl_configure_transport(&settings)
        for pointer in [settings.ca_file, settings.ca_directory, settings.client_certificate, settings.client_key,
                        settings.insecure_hosts, settings.http_proxy, settings.https_proxy, settings.no_proxy] {
            free(pointer)
        }
        #endif
    }

    /// `proxy` without its credentials, for messages.
    public static func redactedProxy(_ proxy: String) -> String {
        URLCredentials.redacted(text: proxy)
    }
}
