import CommandLineParsing
import Foundation
import PackageIndex
import WorkScheduling

/// A `lazywheel` subcommand: what it accepts, read from a parsed command line, and what it does.
protocol Subcommand {
    static var spec: CommandSpec { get }
    /// Reads the parsed values; a value the command cannot use is a usage error.
    init(_ arguments: ParsedArguments) throws(CommandLineError)
    func run() throws
}

/// Ends the process with `code` after the command has said why (on standard error).
struct ExitStatus: Error {
    let code: Int32
    static let failure = ExitStatus(code: 1)
}

/// `lazywheel`: read Python wheels lazily over HTTP, from the command line or as a JSON-RPC service.
///
/// Options are declared as data and parsed by `CommandLineParsing`, not by a reflection-based
/// parser: that one spent about 2 ms of every process start in the Swift runtime's type lookups,
/// a fifth of a warm `resolve` (README, "Dependencies").
@main
enum LazyWheelCommand {
    static var commands: [any Subcommand.Type] {
        [ServeCommand.self, MetadataCommand.self, ListCommand.self, CatCommand.self, ResolveCommand.self]
    }

    static let program = ProgramSpec(
        name: "lazywheel",
        version: "0.1.0",
        abstract: "Read Python wheels lazily over HTTP: metadata, listings and members with a few range requests.",
        commands: commands.map { $0.spec })

    static func main() {
        endProcess(status: status())
    }

    /// Ends the process once the disk cache's entries are written (they are written in the
    /// background while a command runs, see `CacheEntryWriter`), without running `atexit`
    /// handlers. Everything the process says goes out with `write(2)` (`FileHandle`, no stdio
    /// buffer), so they would have nothing left to do but tear down libcurl's and OpenSSL's global
    /// state, which a worker thread still finishing a cancelled fetch may be using (a crash at
    /// exit), and which takes time for nothing.
    static func endProcess(status: Int32) -> Never {
        CacheEntryWriter.shared.drain()
        _exit(status)
    }

    /// Runs the command line's command and gives its exit status.
    private static func status() -> Int32 {
        do {
            switch try program.parse(Array(CommandLine.arguments.dropFirst())) {
            case .help(let text), .version(let text):
                writeStandardOutput(Data((text.hasSuffix("\n") ? text : text + "\n").utf8))
            case .run(let arguments):
                let command = commands.first { $0.spec.name == arguments.command.name }!
                try command.init(arguments).run()
            }
            return 0
        } catch let error as CommandLineError {
            printError(error.description)
            return CommandLineError.exitStatus
        } catch let status as ExitStatus {
            return status.code
        } catch {
            printError("lazywheel: error: \(error)")
            return 1
        }
    }
}
