import ArgumentParser
import Foundation
import LazyWheelServer

/// `lazywheel serve`: the JSON-RPC service on stdio.
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the JSON-RPC 2.0 service on stdin/stdout (LSP framing); see protocol/PROTOCOL.md.")

    @Flag(help: "Let clients open local files (paths and file:// URLs).")
    var allowFiles = false

    @Option(help: "Append logs to this file instead of stderr.")
    var logFile: String?

    func run() throws {
        printError("lazywheel serve: not wired yet")
        throw ExitCode.failure
    }
}
