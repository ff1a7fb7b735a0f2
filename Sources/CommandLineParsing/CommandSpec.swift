// The shape of a command line, declared as data: which options and arguments each subcommand takes.
// Parsing (`CommandLineParser`) and help (`HelpFormatter`) both read these declarations, so an
// option is named, documented and parsed from one place.

/// An option a command accepts: a flag (`--json`) or one taking a value (`--index-url URL`).
public struct OptionSpec: Sendable, Equatable {
    /// What follows the option's name.
    public enum Kind: Sendable, Equatable {
        /// No value: present or not.
        case flag
        /// One value; given twice, the last one counts. The string is the value's name in help.
        case value(String)
        /// A value that may be given many times, each one kept in order.
        case repeatedValue(String)
    }

    /// The long name without dashes: `index-url` for `--index-url`.
    public let long: String
    /// The one-letter name, if any: `r` for `-r`.
    public let short: Character?
    public let kind: Kind
    /// One or two sentences for `--help`.
    public let help: String

    public init(long: String, short: Character? = nil, kind: Kind, help: String) {
        self.long = long
        self.short = short
        self.kind = kind
        self.help = help
    }

    /// `--long` (or `-s`) with no value.
    public static func flag(_ long: String, short: Character? = nil, help: String) -> OptionSpec {
        OptionSpec(long: long, short: short, kind: .flag, help: help)
    }

    /// `--long VALUE`; `valueName` defaults to the long name.
    public static func value(_ long: String, short: Character? = nil, valueName: String? = nil, help: String) -> OptionSpec {
        OptionSpec(long: long, short: short, kind: .value(valueName ?? long), help: help)
    }

    /// `--long VALUE`, repeatable.
    public static func repeated(_ long: String, short: Character? = nil, valueName: String? = nil, help: String) -> OptionSpec {
        OptionSpec(long: long, short: short, kind: .repeatedValue(valueName ?? long), help: help)
    }

    var takesValue: Bool { kind != .flag }

    var valueName: String? {
        switch kind {
        case .flag: nil
        case .value(let name), .repeatedValue(let name): name
        }
    }

    /// `--index-url <index-url>`, as errors and help show it.
    var synopsis: String {
        valueName.map { "--\(long) <\($0)>" } ?? "--\(long)"
    }
}

/// A positional argument.
public struct ArgumentSpec: Sendable, Equatable {
    public enum Arity: Sendable, Equatable {
        case required
        case optional
        /// Zero or more; only the last argument of a command may be variadic.
        case variadic
    }

    /// The name shown in help and errors: `wheel` for `<wheel>`.
    public let name: String
    public let arity: Arity
    public let help: String

    public init(_ name: String, arity: Arity = .required, help: String) {
        self.name = name
        self.arity = arity
        self.help = help
    }

    var usage: String {
        switch arity {
        case .required: "<\(name)>"
        case .optional: "[<\(name)>]"
        case .variadic: "[<\(name)> ...]"
        }
    }
}

/// One subcommand: its name, what it is for, and what it accepts.
public struct CommandSpec: Sendable, Equatable {
    public let name: String
    /// One line for the program's command list and the top of `--help`.
    public let abstract: String
    /// Longer text shown under the abstract in `--help`.
    public let discussion: String?
    public let arguments: [ArgumentSpec]
    public let options: [OptionSpec]

    public init(name: String, abstract: String, discussion: String? = nil, arguments: [ArgumentSpec] = [], options: [OptionSpec]) {
        precondition(arguments.dropLast().allSatisfy { $0.arity != .variadic }, "only the last argument may be variadic")
        precondition(Set(options.map(\.long)).count == options.count, "duplicate option in \(name)")
        self.name = name
        self.abstract = abstract
        self.discussion = discussion
        self.arguments = arguments
        self.options = options
    }

    func option(long: String) -> OptionSpec? { options.first { $0.long == long } }
    func option(short: Character) -> OptionSpec? { options.first { $0.short == short } }
}

/// The program: its name and version, and its subcommands.
public struct ProgramSpec: Sendable {
    public let name: String
    public let version: String
    public let abstract: String
    public let commands: [CommandSpec]

    public init(name: String, version: String, abstract: String, commands: [CommandSpec]) {
        self.name = name
        self.version = version
        self.abstract = abstract
        self.commands = commands
    }

    /// `lazywheel resolve [<options>] [<requirements> ...]`.
    func usage(of command: CommandSpec) -> String {
        ([name, command.name] + (command.options.isEmpty ? [] : ["[<options>]"]) + command.arguments.map(\.usage))
            .joined(separator: " ")
    }

    var usage: String { "\(name) <subcommand>" }
}
