import CommandLineParsing
import Foundation
import HTTPRange
import LazyWheelServer
import PackageIndex

/// How every command that fetches over HTTP waits and retries (pip's `--timeout` and `--retries`).
struct NetworkOptions {
    static let specs: [OptionSpec] = [
        .value("timeout", valueName: "seconds", help: "Seconds without a byte arriving before an HTTP attempt is abandoned (default 30, or $\(HTTPClientConfiguration.timeoutVariable))."),
        .value("retries", valueName: "n", help: "Times a failed HTTP request (connection error, timeout, 5xx, 429) is repeated with exponential backoff (default 3, or $\(HTTPClientConfiguration.retriesVariable))."),
        .value("cert", valueName: "path", help: "CA bundle (PEM) to trust instead of the system's (else PIP_CERT, pip.conf cert, SSL_CERT_FILE, SSL_CERT_DIR)."),
        .value("client-cert", valueName: "path", help: "Client certificate and key in one PEM file (else PIP_CLIENT_CERT, pip.conf client-cert)."),
        .repeated("trusted-host", valueName: "host", help: "Host (or host:port) whose TLS certificate is not verified (repeatable; adds to PIP_TRUSTED_HOST, UV_INSECURE_HOST, pip.conf, uv.toml)."),
        .value("proxy", valueName: "url", help: "Proxy for every request, http://[USER:PASSWORD@]HOST:PORT (else PIP_PROXY, pip.conf proxy, HTTPS_PROXY/HTTP_PROXY/ALL_PROXY)."),
        .value("keyring-provider", valueName: "provider", help: "subprocess: ask `keyring get URL USER` when an index answers 401 and nothing else gave a password (else PIP_KEYRING_PROVIDER, UV_KEYRING_PROVIDER, pip.conf, uv.toml); disabled (default)."),
        .value("attempt-deadline", valueName: "seconds", help: "Seconds one HTTP attempt may take in all, however steadily bytes arrive; a server still sending then is given up on, without retry (default 120, or $\(HTTPClientConfiguration.attemptDeadlineVariable))."),
    ]

    /// The settings, checked (with the environment's) when the command line is read.
    let configuration: HTTPClientConfiguration
    /// Certificates, trusted hosts and proxies, from the flags, the environment and pip/uv files.
    let transport: TransportConfiguration
    /// What the flags alone said (`serve` keeps them under a client's `initialize` options).
    let transportOptions: TransportOptions
    /// `--keyring-provider`, when given.
    let keyringProvider: String?

    init(_ arguments: ParsedArguments) throws(CommandLineError) {
        let timeout = try arguments.value("timeout") { Double($0) }
        let retries = try arguments.value("retries") { Int($0) }
        let attemptDeadline = try arguments.value("attempt-deadline") { Double($0) }
        transportOptions = TransportOptions(
            certificateAuthority: arguments.value("cert"), clientCertificate: arguments.value("client-cert"),
            trustedHosts: arguments.values("trusted-host"), proxy: arguments.value("proxy"))
        keyringProvider = arguments.value("keyring-provider")
        do {
            configuration = try HTTPClientConfiguration.userConfigured(
                timeout: timeout, retries: retries, attemptDeadline: attemptDeadline)
            transport = try TransportConfiguration.resolve(options: transportOptions, environment: .process())
        } catch {
            throw arguments.invalid("\(error)")
        }
    }

    /// The engine these settings describe (its transport settings applied to the process); hosts
    /// that ignore byte ranges are remembered in the disk cache's `hosts` folder.
    func makeEngine() -> WheelEngine {
        transport.settings.apply()
        let hosts = HTTPCache.defaultDirectoryPath(environment: .process()).map { $0 + "/hosts" }
        return WheelEngine(client: HTTPClient(configuration: configuration), capabilities: HostCapabilities(directory: hosts))
    }
}

/// Options every wheel-reading subcommand takes.
struct WheelReadingOptions {
    static let specs: [OptionSpec] = [
        .flag("stats", help: "Print to stderr how many HTTP requests and bytes the command cost."),
    ] + NetworkOptions.specs

    let stats: Bool
    let network: NetworkOptions

    init(_ arguments: ParsedArguments) throws(CommandLineError) {
        stats = arguments.flag("stats")
        network = try NetworkOptions(arguments)
    }
}

/// Runs `body` with a fresh engine, prints `--stats` when asked, and turns errors into a message
/// on stderr and exit code 1.
func runWithEngine(options: WheelReadingOptions, _ body: (WheelEngine) throws -> Void) throws {
    let engine = options.network.makeEngine()
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
    } catch let status as ExitStatus {
        throw status
    } catch {
        printError("lazywheel: error: \(error)")
        throw ExitStatus.failure
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
