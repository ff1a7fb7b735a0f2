import ArgumentParser
import Foundation
import HTTPRange
import LazyWheelCore
import PackageIndex

/// How every command that fetches over HTTP waits, retries and reaches servers (pip's `--timeout`,
/// `--retries`, `--cert`, `--client-cert`, `--trusted-host`, `--proxy`, `--keyring-provider`).
struct NetworkOptions: ParsableArguments {
    @Option(
        name: .long, help: ArgumentHelp(
            "Seconds without a byte arriving before an HTTP attempt is abandoned (default 30, or $\(HTTPClientConfiguration.timeoutVariable)).",
            valueName: "seconds"))
    var timeout: Double?

    @Option(
        name: .long, help: ArgumentHelp(
            "Times a failed HTTP request (connection error, timeout, 5xx, 429) is repeated with exponential backoff (default 3, or $\(HTTPClientConfiguration.retriesVariable)).",
            valueName: "n"))
    var retries: Int?

    @Option(
        name: .long, help: ArgumentHelp(
            "Seconds one HTTP attempt may take in all, however steadily bytes arrive; a server still sending then is given up on, without retry (default 120, or $\(HTTPClientConfiguration.attemptDeadlineVariable)).",
            valueName: "seconds"))
    var attemptDeadline: Double?

    @Option(
        name: .long, help: ArgumentHelp(
            "CA bundle (PEM) to trust instead of the system's (else PIP_CERT, pip.conf cert, SSL_CERT_FILE, SSL_CERT_DIR).",
            valueName: "path"))
    var cert: String?

    @Option(
        name: .long, help: ArgumentHelp(
            "Client certificate and key in one PEM file (else PIP_CLIENT_CERT, pip.conf client-cert).", valueName: "path"))
    var clientCert: String?

    @Option(
        name: .long, help: ArgumentHelp(
            "Host (or host:port) whose TLS certificate is not verified (repeatable; adds to PIP_TRUSTED_HOST, UV_INSECURE_HOST, pip.conf, uv.toml).",
            valueName: "host"))
    var trustedHost: [String] = []

    @Option(
        name: .long, help: ArgumentHelp(
            "Proxy for every request, http://[USER:PASSWORD@]HOST:PORT (else PIP_PROXY, pip.conf proxy, HTTPS_PROXY/HTTP_PROXY/ALL_PROXY).",
            valueName: "url"))
    var proxy: String?

    @Option(
        name: .long, help: ArgumentHelp(
            "subprocess: ask `keyring get URL USER` when an index answers 401 and nothing else gave a password (else PIP_KEYRING_PROVIDER, UV_KEYRING_PROVIDER, pip.conf, uv.toml); disabled (default).",
            valueName: "provider"))
    var keyringProvider: String?

    /// What the flags alone say about certificates, trusted hosts and proxies (`serve` keeps them
    /// under a client's `initialize` options).
    var transportOptions: TransportOptions {
        TransportOptions(certificateAuthority: cert, clientCertificate: clientCert, trustedHosts: trustedHost, proxy: proxy)
    }

    /// The settings, with the environment's: a bad value is a usage error.
    func configuration() throws -> HTTPClientConfiguration {
        do {
            return try HTTPClientConfiguration.userConfigured(timeout: timeout, retries: retries, attemptDeadline: attemptDeadline)
        } catch {
            throw ValidationError("\(error)")
        }
    }

    /// Certificates, trusted hosts and proxies from the flags, the environment and pip's and uv's files.
    func transport() throws -> TransportConfiguration {
        do {
            return try TransportConfiguration.resolve(options: transportOptions, environment: .process())
        } catch {
            throw ValidationError("\(error)")
        }
    }

    func validate() throws {
        _ = try configuration()
        _ = try transport()
    }

    /// The engine these settings describe, its transport settings applied to the process; hosts
    /// that ignore byte ranges are remembered in the disk cache's `hosts` folder.
    func makeEngine() throws -> WheelEngine {
        try transport().settings.apply()
        let hosts = HTTPCache.defaultDirectoryPath(environment: .process()).map { $0 + "/hosts" }
        return WheelEngine(access: WheelAccess(
            client: HTTPClient(configuration: try configuration()), capabilities: HostCapabilities(directory: hosts)))
    }
}

/// The wheel a subcommand reads.
struct WheelArgument: ParsableArguments {
    @Argument(help: "The wheel: an http(s) URL, a file:// URL or a path.")
    var wheel: String
}

/// Options every wheel-reading subcommand takes.
struct WheelReadingOptions: ParsableArguments {
    @Flag(help: "Print to stderr how many HTTP requests and bytes the command cost.")
    var stats = false

    @OptionGroup var network: NetworkOptions
}

/// Where `--index-url` and friends come from on the command line, and the target they pick for.
struct IndexArguments: ParsableArguments {
    @Option(help: "The package index (PEP 503/691 simple API). Default: LAZYWHEEL_INDEX_URL, PIP_INDEX_URL, UV_INDEX_URL/UV_DEFAULT_INDEX, pip.conf or uv.toml.")
    var indexURL: String?

    @Option(help: "More indexes, asked after the first (repeatable).")
    var extraIndexURL: [String] = []

    @Option(help: "A directory or page of links to wheels and sdists (repeatable).")
    var findLinks: [String] = []

    @Option(help: "Target Python, e.g. 3.12 (default: the host's python3).")
    var pythonVersion: String?

    @Option(help: "Target platform, e.g. manylinux_2_28_x86_64, macosx_14_0_arm64, win_amd64 (default: the host).")
    var platform: String?

    /// The index settings, with the keyring provider of the network options.
    func options(network: NetworkOptions) -> IndexOptions {
        var options = IndexOptions(indexURL: indexURL, extraIndexURLs: extraIndexURL, findLinks: findLinks)
        options.keyringProvider = network.keyringProvider
        return options
    }
}

/// Runs `body` with a fresh engine, prints `--stats` when asked, and turns errors into a message
/// on stderr and exit code 1.
func runWithEngine(options: WheelReadingOptions, _ body: (WheelEngine) throws -> Void) throws {
    let engine = try options.network.makeEngine()
    defer {
        if options.stats {
            let s = engine.statistics.snapshot
            let noun = s.requests == 1 ? "request" : "requests"
            let rangeless = engine.capabilities.hostsIgnoringRange
            let whole = rangeless.isEmpty ? "" : "; ranges ignored by \(rangeless.joined(separator: ", ")) (wheels read front to back)"
            printError("lazywheel: \(s.requests) \(noun) (\(s.headRequests) HEAD), \(s.bytesFetched) bytes fetched; tail \(engine.tailLength)\(whole)")
        }
    }
    do {
        try body(engine)
    } catch let status as ExitCode {
        throw status
    } catch {
        printError("lazywheel: error: \(error)")
        throw ExitCode.failure
    }
}

/// Writes a line to standard error.
func printError(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}

/// Writes bytes to standard output as they are.
func writeStandardOutput(_ data: Data) {
    FileHandle.standardOutput.write(data)
}

/// Pretty, stable JSON for command output.
func encodeJSON(_ value: some Encodable) throws -> Data {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    var data = try encoder.encode(value)
    data.append(0x0A)
    return data
}
