import Foundation
import LazyZip
import WorkScheduling

/// What index configuration is read from: environment variables, the home directory and file
/// contents. Injected so tests never touch the real environment or `/etc`.
public struct ConfigurationEnvironment: Sendable {
    /// Environment variables.
    public var variables: [String: String]
    /// The user's home directory (`~`), when known.
    public var homeDirectory: String?
    /// The directory relative paths are resolved against.
    public var workingDirectory: String
    /// Returns the contents of the file at a path, or nil when it does not exist or is unreadable.
    public var readFile: @Sendable (String) -> String?

    public init(
        variables: [String: String],
        homeDirectory: String?,
        workingDirectory: String = "/",
        readFile: @escaping @Sendable (String) -> String?
    ) {
        self.variables = variables
        self.homeDirectory = homeDirectory
        self.workingDirectory = workingDirectory
        self.readFile = readFile
    }

    /// The real process environment, home directory and file system.
    public static func process() -> ConfigurationEnvironment {
        let variables = ProcessEnvironment.variables
        return ConfigurationEnvironment(
            variables: variables,
            homeDirectory: variables["HOME"] ?? FileManager.default.homeDirectoryForCurrentUser.path,
            workingDirectory: ProcessEnvironment.currentDirectory,
            // Most candidate configuration files do not exist, and `open` says so without the
            // error object a failed `String(contentsOfFile:)` builds. Only regular files are read
            // (`PIP_CONFIG_FILE=/dev/null` means no file, as for pip).
            readFile: { path in (try? PositionalIO.contents(ofFileAtPath: path)).flatMap { String(validating: $0, as: UTF8.self) } }
        )
    }

    func variable(_ name: String) -> String? {
        guard let value = variables[name]?.trimmingWhitespace(andNewlines: true), !value.isEmpty else { return nil }
        return value
    }
}

/// Index settings given explicitly on the command line or in a JSON-RPC `initialize` request;
/// they take precedence over the environment and configuration files.
public struct IndexOptions: Sendable, Equatable {
    /// `--index-url`.
    public var indexURL: String?
    /// `--extra-index-url`, repeatable.
    public var extraIndexURLs: [String]
    /// `--find-links`, repeatable: directories or HTML pages listing distribution files.
    public var findLinks: [String]
    /// `--keyring-provider` (`subprocess` or `disabled`).
    public var keyringProvider: String?
    /// Whether these options may name local locations (`file://` URLs and paths): true for the
    /// user's own command line, false for a JSON-RPC client unless the session allows files.
    public var allowsLocalLocations: Bool

    public init(indexURL: String? = nil, extraIndexURLs: [String] = [], findLinks: [String] = [], allowsLocalLocations: Bool = true) {
        self.indexURL = indexURL
        self.extraIndexURLs = extraIndexURLs
        self.findLinks = findLinks
        self.allowsLocalLocations = allowsLocalLocations
    }

    /// True when no index or find-links location is named.
    public var namesNoLocation: Bool { indexURL == nil && extraIndexURLs.isEmpty && findLinks.isEmpty }
}

/// A problem with the index configuration. Messages never contain credentials.
public enum IndexConfigurationError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Nothing configures an index: lazywheel has no built-in public index.
    case noIndexConfigured
    /// A configured value is not a URL or path lazywheel can use.
    case invalidURL(value: String, origin: ConfigurationOrigin)
    /// A JSON-RPC client named a local location in a session that does not allow local files.
    case localLocationNotAllowed(value: String)

    public var description: String {
        switch self {
        case .noIndexConfigured:
            """
            no package index is configured, and lazywheel has no built-in index. Set one with \
            `--index-url URL`, the environment variable LAZYWHEEL_INDEX_URL (or PIP_INDEX_URL, \
            UV_INDEX_URL / UV_DEFAULT_INDEX), `index-url = URL` under [global] in pip.conf \
            (~/.config/pip/pip.conf), or `index-url = "URL"` (or `[[index]]` with `url = "URL"` and \
            `default = true`) in uv.toml (~/.config/uv/uv.toml)
            """
        case .localLocationNotAllowed(let value):
            "'\(redactingCredentials(in: value))' is a local location, and local files are not allowed in this session; start the server with --allow-files or pass allowFileURLs in initialize"
        case .invalidURL(let value, let origin):
            "\(origin) sets an index to '\(redactingCredentials(in: value))', which is neither an http(s)/file URL nor an absolute path"
        }
    }
}

/// The package indexes and find-links locations to use, resolved the way pip and uv users already
/// have them configured (per setting, highest precedence first):
///
/// 1. explicit ``IndexOptions`` (`--index-url`, `--extra-index-url`, `--find-links`);
/// 2. environment: `LAZYWHEEL_INDEX_URL`, `PIP_INDEX_URL`, `UV_INDEX_URL`, `UV_DEFAULT_INDEX`;
///    `PIP_EXTRA_INDEX_URL`, `UV_EXTRA_INDEX_URL`, `UV_INDEX` (space separated);
///    `PIP_FIND_LINKS`, `UV_FIND_LINKS`;
/// 3. pip configuration files (`[install]` over `[global]`): `$PIP_CONFIG_FILE`,
///    `$XDG_CONFIG_HOME/pip/pip.conf`, `~/.config/pip/pip.conf`, `~/.pip/pip.conf`, `/etc/pip.conf`,
///    `/etc/xdg/pip/pip.conf`;
/// 4. uv configuration files (`index-url`, `extra-index-url`, `find-links`, `[[index]]`, and the
///    same under `[pip]`): `$UV_CONFIG_FILE`, `$XDG_CONFIG_HOME/uv/uv.toml`, `~/.config/uv/uv.toml`,
///    `/etc/uv/uv.toml`.
///
/// Credentials come from the URL's userinfo, then (for a named uv index) `UV_INDEX_<NAME>_USERNAME`
/// and `UV_INDEX_<NAME>_PASSWORD`, then `$NETRC` / `~/.netrc`, and when enabled from the keyring
/// after the index answered 401 (``KeyringLookup``). Local locations named by ``IndexOptions`` are
/// refused unless ``IndexOptions/allowsLocalLocations``.
public struct IndexConfiguration: Sendable, Equatable {
    /// Simple repository roots (PEP 503), the primary index first, then extra indexes.
    public var indexes: [IndexLocation]
    /// Find-links locations: local directories or HTML pages that link distribution files.
    public var findLinks: [IndexLocation]
    /// Configuration files that were read, in precedence order (for `--verbose`).
    public var consultedFiles: [String]
    /// The keyring, when the user enabled it (``KeyringLookup``).
    public var keyring: KeyringLookup?

    public init(indexes: [IndexLocation], findLinks: [IndexLocation] = [], consultedFiles: [String] = []) {
        self.indexes = indexes
        self.findLinks = findLinks
        self.consultedFiles = consultedFiles
    }

    /// The primary index, when one is configured.
    public var primaryIndex: IndexLocation? { indexes.first }

    /// Human-readable lines saying which source won for each location (safe to print: redacted).
    public var report: [String] {
        var lines: [String] = []
        for (position, index) in indexes.enumerated() {
            var line = "\(position == 0 ? "index" : "extra index") \(index.redactedDescription) from \(index.origin)"
            if let origin = index.credentialOrigin { line += ", credentials from \(origin)" }
            lines.append(line)
        }
        for location in findLinks {
            lines.append("find-links \(location.redactedDescription) from \(location.origin)")
        }
        if !consultedFiles.isEmpty {
            lines.append("configuration files read: \(consultedFiles.joined(separator: ", "))")
        }
        return lines
    }

    /// The credentials to send to `url`: those of the first configured location on the same scheme,
    /// host and port (files are often served from the index's own host).
    public func credentials(for url: URL) -> IndexCredentials? {
        (indexes + findLinks).lazy.filter { location in
            location.url.host?.lowercased() == url.host?.lowercased()
                && location.url.port == url.port && location.url.scheme?.lowercased() == url.scheme?.lowercased()
        }.compactMap(credentials(of:)).first
    }

    /// The credentials to send to `location`: the keyring's, once it answered for it, else the
    /// configured ones.
    public func credentials(of location: IndexLocation) -> IndexCredentials? {
        keyring?.known(for: location) ?? location.credentials
    }

    /// Resolves the configuration from `options`, then `environment`, then configuration files.
    /// Throws ``IndexConfigurationError/noIndexConfigured`` when nothing names an index or
    /// find-links location.
    public static func resolve(
        options: IndexOptions = IndexOptions(), environment: ConfigurationEnvironment
    ) throws(IndexConfigurationError) -> IndexConfiguration {
        let files = ConfigurationFiles(environment: environment)
        var resolver = LocationResolver(environment: environment)
        resolver.indexNames = files.uvIndexNames()
        for variable in ["UV_INDEX", "UV_DEFAULT_INDEX"] {
            for entry in Self.splitList(environment.variable(variable) ?? "") {
                let url = Self.stripIndexName(entry)
                if url != entry { resolver.indexNames[url] = String(entry.prefix(entry.count - url.count - 1)) }
            }
        }

        // Primary index: first source that names one.
        var primaryCandidates: [(String, ConfigurationOrigin)] = []
        if let url = options.indexURL { primaryCandidates.append((url, .commandLine(option: "--index-url"))) }
        for variable in ["LAZYWHEEL_INDEX_URL", "PIP_INDEX_URL", "UV_INDEX_URL", "UV_DEFAULT_INDEX"] {
            if let url = environment.variable(variable) {
                primaryCandidates.append((Self.stripIndexName(url), .environment(variable: variable)))
            }
        }
        primaryCandidates += files.pipValues("index-url").prefix(1).map { ($0.value, $0.origin) }
        primaryCandidates += files.uvPrimary().prefix(1).map { ($0.value, $0.origin) }

        // Extra indexes and find-links: the highest-precedence layer that names any.
        let cliExtras = options.extraIndexURLs.map { ($0, ConfigurationOrigin.commandLine(option: "--extra-index-url")) }
        let environmentExtras = ["PIP_EXTRA_INDEX_URL", "UV_EXTRA_INDEX_URL", "UV_INDEX"].flatMap { variable in
            Self.splitList(environment.variable(variable) ?? "").map { (Self.stripIndexName($0), ConfigurationOrigin.environment(variable: variable)) }
        }
        let pipExtras = files.pipValues("extra-index-url").prefix(1).flatMap { entry in
            Self.splitList(entry.value).map { ($0, entry.origin) }
        }
        let extras = [cliExtras, environmentExtras, pipExtras, files.uvExtras()].first(where: { !$0.isEmpty }) ?? []

        let cliFindLinks = options.findLinks.map { ($0, ConfigurationOrigin.commandLine(option: "--find-links")) }
        let environmentFindLinks = ["PIP_FIND_LINKS", "UV_FIND_LINKS"].flatMap { variable in
            Self.splitList(environment.variable(variable) ?? "").map { ($0, ConfigurationOrigin.environment(variable: variable)) }
        }
        let pipFindLinks = files.pipValues("find-links").prefix(1).flatMap { entry in
            Self.splitList(entry.value).map { ($0, entry.origin) }
        }
        let findLinkValues = [cliFindLinks, environmentFindLinks, pipFindLinks, files.uvFindLinks()].first(where: { !$0.isEmpty }) ?? []

        var indexes: [IndexLocation] = []
        for (value, origin) in primaryCandidates.prefix(1) + extras + findLinkValues {
            if case .commandLine = origin, !options.allowsLocalLocations, resolver.namesLocalLocation(value) {
                throw .localLocationNotAllowed(value: value)
            }
        }
        for (value, origin) in primaryCandidates.prefix(1) + extras {
            let location = try resolver.location(value, origin: origin, isIndex: true)
            if !indexes.contains(where: { $0.url == location.url }) { indexes.append(location) }
        }
        var findLinks: [IndexLocation] = []
        for (value, origin) in findLinkValues {
            let location = try resolver.location(value, origin: origin, isIndex: false)
            if !findLinks.contains(where: { $0.url == location.url }) { findLinks.append(location) }
        }
        guard !indexes.isEmpty || !findLinks.isEmpty else { throw .noIndexConfigured }
        var configuration = IndexConfiguration(indexes: indexes, findLinks: findLinks, consultedFiles: files.consulted)
        configuration.keyring = KeyringLookup.configured(option: options.keyringProvider, environment: environment, files: files)
        return configuration
    }

    /// Splits a pip/uv list value on whitespace (and commas, which uv accepts in `UV_FIND_LINKS`).
    static func splitList(_ value: String) -> [String] {
        value.split(whereSeparator: { $0.isWhitespace || $0 == "," }).map(String.init)
    }

    /// `UV_INDEX` entries may be `name=url`; keeps the URL. An `=` after the scheme or in a path
    /// (a query string, a directory name) is left alone.
    static func stripIndexName(_ value: String) -> String {
        guard let equals = value.firstIndex(of: "=") else { return value }
        let name = value[..<equals]
        guard !name.isEmpty, !name.contains("/"), !name.contains(":") else { return value }
        return String(value[value.index(after: equals)...])
    }
}

/// A configured value with the place it came from.
struct ConfiguredValue: Sendable {
    var value: String
    var origin: ConfigurationOrigin
}

/// The pip and uv configuration files that exist, in precedence order.
struct ConfigurationFiles {
    var pip: [(path: String, file: PipConfigFile)] = []
    var uv: [(path: String, file: UVConfigFile)] = []
    var consulted: [String] = []

    init(environment: ConfigurationEnvironment) {
        let home = environment.homeDirectory
        let xdg = environment.variable("XDG_CONFIG_HOME")

        var pipPaths: [String] = []
        let pipConfigFile = environment.variable("PIP_CONFIG_FILE")
        if pipConfigFile != "/dev/null" && pipConfigFile != "os.devnull" {
            if let pipConfigFile { pipPaths.append(pipConfigFile) }
            if let xdg { pipPaths.append(xdg + "/pip/pip.conf") }
            if let home {
                pipPaths.append(home + "/.config/pip/pip.conf")
                pipPaths.append(home + "/.pip/pip.conf")
            }
            pipPaths += ["/etc/pip.conf", "/etc/xdg/pip/pip.conf"]
        }
        var uvPaths: [String] = []
        if environment.variable("UV_NO_CONFIG") == nil {
            if let uvConfigFile = environment.variable("UV_CONFIG_FILE") {
                uvPaths.append(uvConfigFile)
            } else {
                if let xdg { uvPaths.append(xdg + "/uv/uv.toml") }
                if let home { uvPaths.append(home + "/.config/uv/uv.toml") }
                uvPaths.append("/etc/uv/uv.toml")
            }
        }
        for path in Self.unique(pipPaths) {
            guard let contents = environment.readFile(path) else { continue }
            pip.append((path, PipConfigFile(contents: contents)))
            consulted.append(path)
        }
        for path in Self.unique(uvPaths) {
            guard let contents = environment.readFile(path) else { continue }
            uv.append((path, UVConfigFile(contents: contents)))
            consulted.append(path)
        }
    }

    private static func unique(_ paths: [String]) -> [String] {
        var seen = Set<String>()
        return paths.filter { seen.insert($0).inserted }
    }

    /// Every pip file's value for `key`, highest precedence first.
    func pipValues(_ key: String) -> [ConfiguredValue] {
        pip.compactMap { entry in
            entry.file.value(for: key).map { ConfiguredValue(value: $0, origin: .pipConfig(path: entry.path, key: key)) }
        }
    }

    /// The default index of each uv file: `[[index]]` with `default = true`, `index-url`, or
    /// `[pip] index-url`.
    func uvPrimary() -> [ConfiguredValue] {
        uv.compactMap { entry in
            if let index = entry.file.indexes.first(where: { $0["default"]?.value.boolValue == true }),
               let url = index["url"]?.value.stringValue {
                return ConfiguredValue(value: url, origin: .uvConfig(path: entry.path, key: "[[index]] default = true"))
            }
            for table in ["", "pip"] {
                if let url = entry.file.string("index-url", inTable: table) {
                    return ConfiguredValue(value: url, origin: .uvConfig(path: entry.path, key: table.isEmpty ? "index-url" : "[pip] index-url"))
                }
            }
            return nil
        }
    }

    /// The `name` of each `[[index]]` of the uv files, by its URL (for `UV_INDEX_<NAME>_USERNAME`).
    func uvIndexNames() -> [String: String] {
        var names: [String: String] = [:]
        for entry in uv {
            for index in entry.file.indexes {
                if let url = index["url"]?.value.stringValue, let name = index["name"]?.value.stringValue {
                    names[url] = names[url] ?? name
                }
            }
        }
        return names
    }

    /// Extra indexes of the first uv file that names any: `[[index]]` entries that are neither the
    /// default nor `explicit`, then `extra-index-url` (root or `[pip]`).
    func uvExtras() -> [(String, ConfigurationOrigin)] {
        for entry in uv {
            var values: [(String, ConfigurationOrigin)] = []
            for index in entry.file.indexes {
                guard index["default"]?.value.boolValue != true, index["explicit"]?.value.boolValue != true,
                      let url = index["url"]?.value.stringValue else { continue }
                values.append((url, .uvConfig(path: entry.path, key: "[[index]]")))
            }
            for table in ["", "pip"] {
                for url in entry.file.strings("extra-index-url", inTable: table) {
                    values.append((url, .uvConfig(path: entry.path, key: table.isEmpty ? "extra-index-url" : "[pip] extra-index-url")))
                }
            }
            if !values.isEmpty { return values }
        }
        return []
    }

    /// `find-links` of the first uv file that names any.
    func uvFindLinks() -> [(String, ConfigurationOrigin)] {
        for entry in uv {
            for table in ["", "pip"] {
                let values = entry.file.strings("find-links", inTable: table)
                if !values.isEmpty {
                    return values.map { ($0, .uvConfig(path: entry.path, key: table.isEmpty ? "find-links" : "[pip] find-links")) }
                }
            }
        }
        return []
    }
}

/// Turns configured text into an ``IndexLocation``: splits off credentials, resolves paths,
/// consults netrc.
private struct LocationResolver {
    let environment: ConfigurationEnvironment
    private var netrc: (path: String, file: Netrc)??
    /// uv index names by configured URL text (`[[index]] name`, `UV_INDEX=name=url`).
    var indexNames: [String: String] = [:]

    init(environment: ConfigurationEnvironment) {
        self.environment = environment
    }

    /// Whether `value` names a local location: a `file:` URL or a path.
    func namesLocalLocation(_ value: String) -> Bool {
        let text = value.trimmingWhitespace(andNewlines: true)
        guard let schemeEnd = text.range(of: ":") else { return true }
        let scheme = text[..<schemeEnd.lowerBound].lowercased()
        return scheme != "http" && scheme != "https"
    }

    mutating func location(_ value: String, origin: ConfigurationOrigin, isIndex: Bool) throws(IndexConfigurationError) -> IndexLocation {
        var text = value.trimmingWhitespace(andNewlines: true)
        if text.hasPrefix("~/"), let home = environment.homeDirectory {
            text = home + text.dropFirst()
        }
        var url: URL
        if text.contains("://") {
            guard let parsed = URL(string: text), let scheme = parsed.scheme?.lowercased(),
                  ["http", "https", "file"].contains(scheme)
            else { throw .invalidURL(value: text, origin: origin) }
            url = parsed
        } else if text.hasPrefix("/") || text.hasPrefix(".") {
            let absolute = text.hasPrefix("/") ? text : environment.workingDirectory + "/" + text
            url = URL(fileURLWithPath: (absolute as NSString).standardizingPath)
        } else {
            throw .invalidURL(value: text, origin: origin)
        }

        var credentials: IndexCredentials?
        var credentialOrigin: CredentialOrigin?
        if var components = URLComponents(url: url, resolvingAgainstBaseURL: false) {
            if let user = components.user, !user.isEmpty {
                credentials = IndexCredentials(username: user, password: components.password ?? "")
                credentialOrigin = .url
            }
            components.user = nil
            components.password = nil
            if let name = indexNames[value], credentials?.password.isEmpty ?? true {
                // uv: UV_INDEX_<NAME>_USERNAME / _PASSWORD, NAME uppercased with `_` for other characters.
                let key = "UV_INDEX_" + String(name.uppercased().map { $0.isASCII && ($0.isLetter || $0.isNumber) ? $0 : "_" })
                let user = credentials?.username ?? environment.variable(key + "_USERNAME")
                if let password = environment.variable(key + "_PASSWORD") {
                    credentials = IndexCredentials(username: user ?? "", password: password)
                    credentialOrigin = .environment(variables: key + "_USERNAME/_PASSWORD")
                } else if let user, credentials == nil {
                    credentials = IndexCredentials(username: user, password: "")
                    credentialOrigin = .environment(variables: key + "_USERNAME")
                }
            }
            if isIndex, !components.path.hasSuffix("/") { components.path += "/" }
            if let stripped = components.url { url = stripped }
        }
        if !url.isFileURL, let host = url.host {
            if let found = netrcFile(), let fromNetrc = found.file.credentials(forHost: host) {
                if credentials == nil {
                    credentials = fromNetrc
                    credentialOrigin = .netrc(path: found.path)
                } else if credentials?.password.isEmpty == true, credentials?.username == fromNetrc.username {
                    credentials = fromNetrc
                    credentialOrigin = .netrc(path: found.path)
                }
            }
        }
        return IndexLocation(url: url, credentials: credentials, credentialOrigin: credentialOrigin, origin: origin)
    }

    private mutating func netrcFile() -> (path: String, file: Netrc)? {
        if let cached = netrc { return cached }
        var loaded: (path: String, file: Netrc)?
        let path = environment.variable("NETRC") ?? environment.homeDirectory.map { $0 + "/.netrc" }
        if let path, let contents = environment.readFile(path) {
            loaded = (path, Netrc(contents: contents))
        }
        netrc = .some(loaded)
        return loaded
    }
}
