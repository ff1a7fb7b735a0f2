/// A command line that cannot be run: an unknown option, a missing value, a value that does not
/// parse. Printed as the message, the command's usage line and where to read more; the exit status
/// for it is ``exitStatus`` (64, `EX_USAGE`).
public struct CommandLineError: Error, Sendable, Equatable, CustomStringConvertible {
    public static let exitStatus: Int32 = 64

    /// What is wrong, e.g. `Unknown option '--cache-dir'`.
    public let message: String
    /// The usage line of the command being parsed (or of the program).
    public let usage: String
    /// The command that shows the relevant help, e.g. `lazywheel resolve --help`.
    public let helpCommand: String

    public init(message: String, usage: String, helpCommand: String) {
        self.message = message
        self.usage = usage
        self.helpCommand = helpCommand
    }

    public var description: String {
        "Error: \(message)\nUsage: \(usage)\n  See '\(helpCommand)' for more information."
    }
}
