import Foundation
import HTTPRange

/// A user name and password for an index: from the URL's userinfo, `UV_INDEX_<NAME>_*`, netrc or
/// the keyring (``CredentialOrigin``).
///
/// Never printed: ``description`` is `***`, so credentials cannot leak into logs or error messages
/// by string interpolation.
public struct IndexCredentials: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    public var username: String
    public var password: String

    public init(username: String, password: String) {
        self.username = username
        self.password = password
    }

    /// The value of an HTTP `Authorization` header (RFC 7617 Basic).
    public var authorizationHeader: String {
        URLCredentials(user: username, password: password).authorizationHeaderValue
    }

    /// `url` with these credentials as its userinfo, the form ``HTTPRangeSource`` authenticates
    /// with (it never shows them).
    func embedded(in url: URL) -> URL {
        guard var components = URLComponents(url: url, resolvingAgainstBaseURL: false) else { return url }
        components.user = username
        components.password = password
        return components.url ?? url
    }

    public var description: String { "***" }
    public var debugDescription: String { "***" }
}

/// Where the credentials of an ``IndexLocation`` came from, for `--verbose` (never the secret).
public enum CredentialOrigin: Sendable, Hashable, CustomStringConvertible {
    /// The `user:password@` part of the configured URL.
    case url
    /// A `machine` (or `default`) entry of a netrc file.
    case netrc(path: String)
    /// uv's `UV_INDEX_<NAME>_USERNAME` / `UV_INDEX_<NAME>_PASSWORD` for a named index.
    case environment(variables: String)
    /// `keyring get URL USER`, asked after the index answered 401.
    case keyring

    public var description: String {
        switch self {
        case .url: "the URL's userinfo"
        case .netrc(let path): "netrc file \(path)"
        case .environment(let variables): "environment variables \(variables)"
        case .keyring: "the keyring"
        }
    }
}

/// Where one configured URL came from: the command line, an environment variable or a
/// configuration file (pip's `pip.conf`, uv's `uv.toml`). Reported by `--verbose`.
public enum ConfigurationOrigin: Sendable, Hashable, CustomStringConvertible {
    case commandLine(option: String)
    case environment(variable: String)
    case pipConfig(path: String, key: String)
    case uvConfig(path: String, key: String)

    public var description: String {
        switch self {
        case .commandLine(let option): "command line \(option)"
        case .environment(let variable): "environment variable \(variable)"
        case .pipConfig(let path, let key): "pip configuration \(path) (\(key))"
        case .uvConfig(let path, let key): "uv configuration \(path) (\(key))"
        }
    }
}

/// One package index (PEP 503/691 simple repository root) or find-links location, with the
/// credentials to send to it kept apart from the URL.
///
/// ``url`` never contains userinfo; ``redactedDescription`` is safe to log.
public struct IndexLocation: Sendable, Hashable, CustomStringConvertible {
    /// The URL without userinfo. For a simple index it ends with `/`.
    public var url: URL
    /// Credentials to send with every request to this location's host.
    public var credentials: IndexCredentials?
    /// Where ``credentials`` came from.
    public var credentialOrigin: CredentialOrigin?
    /// Where this location was configured.
    public var origin: ConfigurationOrigin

    public init(url: URL, credentials: IndexCredentials? = nil, credentialOrigin: CredentialOrigin? = nil, origin: ConfigurationOrigin) {
        self.url = url
        self.credentials = credentials
        self.credentialOrigin = credentialOrigin
        self.origin = origin
    }

    /// Whether this location is on the local file system (`file://`).
    public var isLocal: Bool { url.isFileURL }

    /// The URL as text with `***@` in place of credentials, when there are any.
    public var redactedDescription: String {
        guard credentials != nil, var components = URLComponents(url: url, resolvingAgainstBaseURL: false) else {
            return url.absoluteString
        }
        components.user = nil
        components.password = nil
        let plain = components.string ?? url.absoluteString
        guard let schemeEnd = plain.range(of: "://") else { return plain }
        return plain.replacingCharacters(in: schemeEnd, with: "://***@")
    }

    public var description: String { redactedDescription }

    /// The URL of the project page of `name` under this index root (PEP 503: root + normalized
    /// name + `/`). `canonicalName` must already be normalized.
    public func projectURL(canonicalName: String) -> URL {
        let base = url.absoluteString.hasSuffix("/") ? url.absoluteString : url.absoluteString + "/"
        // Normalized names are nearly always unreserved characters (RFC 3986 §2.3), which need no escaping.
        let isUnreserved = canonicalName.utf8.allSatisfy { byte in
            (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A)
                || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "~")
        }
        let escaped = isUnreserved
            ? canonicalName : canonicalName.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? canonicalName
        return URL(string: base + escaped + "/") ?? url.appendingPathComponent(canonicalName)
    }
}

/// Replaces the userinfo of any URL in `text` by `***`, for error messages built from raw values.
public func redactingCredentials(in text: String) -> String {
    // Userinfo ends at an "@"; most texts have none, found by a byte scan (`range(of:)` below is
    // Foundation's, through NSString).
    guard text.utf8.contains(UInt8(ascii: "@")) else { return text }
    var result = ""
    var rest = Substring(text)
    while let schemeEnd = rest.range(of: "://") {
        result += rest[..<schemeEnd.upperBound]
        let after = rest[schemeEnd.upperBound...]
        let authorityEnd = after.firstIndex(where: { $0 == "/" || $0 == " " || $0 == "\n" || $0 == "\"" || $0 == "?" || $0 == "#" }) ?? after.endIndex
        let authority = after[..<authorityEnd]
        if let at = authority.lastIndex(of: "@") {
            result += "***@"
            rest = after[after.index(after: at)...]
        } else {
            rest = after
        }
    }
    return result + rest
}
