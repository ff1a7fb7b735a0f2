import ArgumentParser
import Foundation
import HTTPRange
import LazyWheelServer

/// How every command that fetches over HTTP waits and retries (pip's `--timeout` and `--retries`).
struct NetworkOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Seconds without a byte arriving before an HTTP attempt is abandoned (default 30, or $\(HTTPClientConfiguration.timeoutVariable)).",
        valueName: "seconds"))
    var timeout: Double?

    @Option(help: ArgumentHelp(
        "Times a failed HTTP request (connection error, timeout, 5xx, 429) is repeated with exponential backoff (default 3, or $\(HTTPClientConfiguration.retriesVariable)).",
        valueName: "n"))
    var retries: Int?

    /// The engine these settings describe.
    func makeEngine() throws -> WheelEngine {
        do {
            let configuration = try HTTPClientConfiguration.userConfigured(timeout: timeout, retries: retries)
            return WheelEngine(client: HTTPClient(configuration: configuration))
        } catch let error as NetworkSettingError {
            throw ValidationError(error.description)
        }
    }
}

/// Options every wheel-reading subcommand takes.
struct WheelReadingOptions: ParsableArguments {
    @Flag(help: "Print to stderr how many HTTP requests and bytes the command cost.")
    var stats = false

    @OptionGroup var network: NetworkOptions
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
    } catch let error as ExitCode {
        throw error
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
