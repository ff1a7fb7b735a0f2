import ArgumentParser
import Foundation
import HTTPRange
import LazyWheelServer
import PackageIndex

/// How every command that fetches over HTTP waits and retries (pip's `--timeout` and `--retries`).
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

    /// The settings, with the environment's: a bad value is a usage error.
    func configuration() throws -> HTTPClientConfiguration {
        do {
            return try HTTPClientConfiguration.userConfigured(timeout: timeout, retries: retries)
        } catch {
            throw ValidationError("\(error)")
        }
    }

    func validate() throws {
        _ = try configuration()
    }

    /// The engine these settings describe.
    func makeEngine() throws -> WheelEngine {
        WheelEngine(access: WheelAccess(client: HTTPClient(configuration: try configuration())))
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

    var options: IndexOptions {
        IndexOptions(indexURL: indexURL, extraIndexURLs: extraIndexURL, findLinks: findLinks)
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
            printError("lazywheel: \(s.requests) \(noun) (\(s.headRequests) HEAD), \(s.bytesFetched) bytes fetched; tail \(engine.tailLength)")
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
