import Foundation
import HTTPRange

/// Transport settings given on the command line (`--cert`, `--client-cert`, `--trusted-host`,
/// `--proxy`) or in `initialize`; they win over the environment and configuration files.
public struct TransportOptions: Sendable, Equatable {
    public var certificateAuthority: String?
    public var clientCertificate: String?
    public var trustedHosts: [String]
    public var proxy: String?

    public init(certificateAuthority: String? = nil, clientCertificate: String? = nil, trustedHosts: [String] = [], proxy: String? = nil) {
        self.certificateAuthority = certificateAuthority
        self.clientCertificate = clientCertificate
        self.trustedHosts = trustedHosts
        self.proxy = proxy
    }
}

/// Why the transport settings cannot be used.
public struct TransportConfigurationError: Error, Equatable, Sendable, CustomStringConvertible {
    public let description: String
}

/// Certificates, trusted hosts and proxies resolved the way pip and uv read them (per setting,
/// highest precedence first; README, "Configuration"):
///
/// - CA bundle: `--cert`, `PIP_CERT`, `cert` in pip.conf, then `SSL_CERT_FILE` (a file) and
///   `SSL_CERT_DIR` (a directory); a bundle named this way replaces the system's.
/// - Client certificate: `--client-cert`, `PIP_CLIENT_CERT`, `client-cert` in pip.conf (one PEM
///   file with the certificate and its key).
/// - Hosts not verified (all sources add up): `--trusted-host`, `PIP_TRUSTED_HOST`, `trusted-host`
///   in pip.conf, `UV_INSECURE_HOST`, `allow-insecure-host` in uv.toml.
/// - Proxy: `--proxy`, `PIP_PROXY`, `proxy` in pip.conf (for every URL); else `HTTPS_PROXY` for
///   https and `HTTP_PROXY` for http URLs, then `ALL_PROXY` (each in either case, lowercase first
///   as curl and Python read them); `NO_PROXY` lists hosts reached directly.
public struct TransportConfiguration: Sendable, Equatable {
    public var settings: TransportSettings
    /// Where each setting came from, for `--verbose` (no credentials).
    public var report: [String]

    public static func resolve(
        options: TransportOptions = TransportOptions(), environment: ConfigurationEnvironment
    ) throws(TransportConfigurationError) -> TransportConfiguration {
        let files = ConfigurationFiles(environment: environment)
        var settings = TransportSettings()
        var report: [String] = []

        func firstPip(_ option: String?, flag: String, variable: String, key: String) -> (String, String)? {
            if let option { return (option, "command line \(flag)") }
            if let value = environment.variable(variable) { return (value, "environment variable \(variable)") }
            if let entry = files.pipValues(key).first { return (entry.value, "\(entry.origin)") }
            return nil
        }
        func expanded(_ path: String) -> String {
            var text = path
            if text.hasPrefix("~/"), let home = environment.homeDirectory { text = home + text.dropFirst() }
            if !text.hasPrefix("/") { text = environment.workingDirectory + "/" + text }
            return text
        }
        func existing(_ path: String, from origin: String) throws(TransportConfigurationError) -> (path: String, isDirectory: Bool) {
            let full = expanded(path)
            // stat(2) rather than FileManager: this runs at every start of every command.
            var status = stat()
            guard stat(full, &status) == 0 else {
                throw TransportConfigurationError(description: "\(origin) names the certificate file \(full), which does not exist")
            }
            return (full, (status.st_mode & S_IFMT) == S_IFDIR)
        }

        if let (value, origin) = firstPip(options.certificateAuthority, flag: "--cert", variable: "PIP_CERT", key: "cert") {
            let found = try existing(value, from: origin)
            if found.isDirectory { settings.certificateAuthorityDirectory = found.path } else { settings.certificateAuthorityFile = found.path }
            report.append("CA certificates \(found.path) from \(origin)")
        } else {
            if let value = environment.variable("SSL_CERT_FILE") {
                settings.certificateAuthorityFile = try existing(value, from: "SSL_CERT_FILE").path
                report.append("CA certificates \(value) from environment variable SSL_CERT_FILE")
            }
            if let value = environment.variable("SSL_CERT_DIR") {
                // OpenSSL's SSL_CERT_DIR may list several directories; libcurl takes one.
                let first = String(value.split(separator: ":").first ?? Substring(value))
                settings.certificateAuthorityDirectory = try existing(first, from: "SSL_CERT_DIR").path
                report.append("CA certificate directory \(first) from environment variable SSL_CERT_DIR")
            }
        }
        if let (value, origin) = firstPip(options.clientCertificate, flag: "--client-cert", variable: "PIP_CLIENT_CERT", key: "client-cert") {
            settings.clientCertificateFile = try existing(value, from: origin).path
            report.append("client certificate \(value) from \(origin)")
        }

        var trusted = options.trustedHosts
        trusted += IndexConfiguration.splitList(environment.variable("PIP_TRUSTED_HOST") ?? "")
        trusted += files.pipValues("trusted-host").prefix(1).flatMap { IndexConfiguration.splitList($0.value) }
        trusted += IndexConfiguration.splitList(environment.variable("UV_INSECURE_HOST") ?? "")
        for entry in files.uv {
            for table in ["", "pip"] { trusted += entry.file.strings("allow-insecure-host", inTable: table) }
        }
        var seen = Set<String>()
        settings.insecureHosts = trusted.map(Self.hostEntry).filter { !$0.isEmpty && seen.insert($0).inserted }
        if !settings.insecureHosts.isEmpty {
            report.append("certificates not verified for: \(settings.insecureHosts.joined(separator: ", "))")
        }

        if let (value, origin) = firstPip(options.proxy, flag: "--proxy", variable: "PIP_PROXY", key: "proxy") {
            settings.httpProxy = Self.proxyURL(value)
            settings.httpsProxy = settings.httpProxy
            report.append("proxy \(TransportSettings.redactedProxy(Self.proxyURL(value))) from \(origin)")
        } else {
            func variable(_ name: String) -> String? {
                environment.variable(name.lowercased()) ?? environment.variable(name.uppercased())
            }
            let all = variable("all_proxy")
            settings.httpProxy = (variable("http_proxy") ?? all).map(Self.proxyURL)
            settings.httpsProxy = (variable("https_proxy") ?? all).map(Self.proxyURL)
            if let proxy = settings.httpsProxy { report.append("https proxy \(TransportSettings.redactedProxy(proxy)) from the environment") }
            if let proxy = settings.httpProxy { report.append("http proxy \(TransportSettings.redactedProxy(proxy)) from the environment") }
        }
        settings.noProxy = environment.variable("no_proxy") ?? environment.variable("NO_PROXY")
        return TransportConfiguration(settings: settings, report: report)
    }

    /// A trusted-host entry as a host or `host:port`: pip and uv also accept a URL there.
    static func hostEntry(_ value: String) -> String {
        var text = value.trimmingCharacters(in: .whitespaces)
        if let schemeEnd = text.range(of: "://") { text = String(text[schemeEnd.upperBound...]) }
        if let slash = text.firstIndex(of: "/") { text = String(text[..<slash]) }
        if let at = text.lastIndex(of: "@") { text = String(text[text.index(after: at)...]) }
        return text.lowercased()
    }

    /// A proxy given as `host:port` is an http proxy (as for pip and curl).
    static func proxyURL(_ value: String) -> String {
        value.contains("://") ? value : "http://" + value
    }
}
