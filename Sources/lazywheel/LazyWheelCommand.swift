import ArgumentParser
import Foundation
import LazyWheelCore
import PackageIndex

/// `lazywheel`: read Python wheels lazily over HTTP, from the command line or as a JSON-RPC service.
@main
struct LazyWheelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lazywheel",
        abstract: "Read Python wheels lazily over HTTP: metadata, listings and members with a few range requests.",
        version: LazyWheelVersion.current,
        subcommands: [ServeCommand.self, MetadataCommand.self, ListCommand.self, CatCommand.self, ResolveCommand.self])

    /// Parses the command line and runs its command, then ends the process (``endProcess(status:)``).
    /// Usage errors exit with 64 (`EX_USAGE`), as argument-parser gives them; a failed command with 1.
    static func main() {
        let command: any ParsableCommand
        do {
            command = try parseAsRoot()
        } catch {
            report(error)
        }
        do {
            var command = command
            try command.run()
            endProcess(status: 0)
        } catch {
            report(error)
        }
    }

    /// Prints what argument-parser says about `error` (help and version on standard output, errors
    /// on standard error) and ends with its exit code.
    private static func report(_ error: any Error) -> Never {
        let code = exitCode(for: error)
        let message = fullMessage(for: error)
        if !message.isEmpty {
            let line = Data((message.hasSuffix("\n") ? message : message + "\n").utf8)
            if code == .success { writeStandardOutput(line) } else { FileHandle.standardError.write(line) }
        }
        endProcess(status: code.rawValue)
    }

    /// Ends the process once the disk cache's entries are written (they are written in the
    /// background while a command runs, see `CacheEntryWriter`), without running `atexit`
    /// handlers: everything the process says goes out with `write(2)` (`FileHandle`, no stdio
    /// buffer), so they would only tear down libcurl's and OpenSSL's global state, which a worker
    /// thread still finishing a cancelled fetch may be using.
    static func endProcess(status: Int32) -> Never {
        CacheEntryWriter.shared.drain()
        _exit(status)
    }
}
