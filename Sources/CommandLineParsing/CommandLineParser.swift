/// What the command line asks for.
public enum CommandLineRequest: Sendable {
    /// Run a subcommand with these arguments.
    case run(ParsedArguments)
    /// Print this help text (standard output, exit status 0).
    case help(String)
    /// Print this version (standard output, exit status 0).
    case version(String)
}

extension ProgramSpec {
    /// Reads `arguments` (without the program's own path): `<subcommand> [options and arguments]`,
    /// `help [<subcommand>]`, `--help`, `-h` or `--version`.
    ///
    /// Options and arguments may come in any order; `--name=value` and `--name value`, `-n value`
    /// and `-nvalue` are accepted, and everything after `--` is an argument. A value option takes
    /// the next word unless that word is itself an option (a negative number is a value).
    /// `-h`/`--help` anywhere before `--` asks for the subcommand's help.
    public func parse(_ arguments: [String]) throws(CommandLineError) -> CommandLineRequest {
        guard let first = arguments.first else { return .help(HelpFormatter(program: self).programHelp()) }
        switch first {
        case "-h", "--help":
            return .help(HelpFormatter(program: self).programHelp())
        case "--version":
            return .version(version)
        case "help":
            guard arguments.count > 1 else { return .help(HelpFormatter(program: self).programHelp()) }
            return .help(HelpFormatter(program: self).commandHelp(try command(named: arguments[1])))
        default:
            let command = try command(named: first)
            var parser = SubcommandParser(program: self, command: command, words: Array(arguments.dropFirst()))
            if parser.asksForHelp { return .help(HelpFormatter(program: self).commandHelp(command)) }
            return .run(try parser.parse())
        }
    }

    private func command(named name: String) throws(CommandLineError) -> CommandSpec {
        if let command = commands.first(where: { $0.name == name }) { return command }
        let message = name.hasPrefix("-")
            ? "Unknown option '\(name)'"
            : "Unknown subcommand '\(name)'; the subcommands are \(commands.map(\.name).joined(separator: ", "))"
        throw CommandLineError(message: message, usage: usage, helpCommand: "\(self.name) --help")
    }
}

/// Parses the words after a subcommand's name.
private struct SubcommandParser {
    let program: ProgramSpec
    let command: CommandSpec
    let words: [String]
    var position = 0
    var parsed: ParsedArguments
    var positionals: [String] = []

    init(program: ProgramSpec, command: CommandSpec, words: [String]) {
        self.program = program
        self.command = command
        self.words = words
        parsed = ParsedArguments(command: command, program: program)
    }

    var asksForHelp: Bool {
        words.prefix { $0 != "--" }.contains { $0 == "-h" || $0 == "--help" }
    }

    mutating func parse() throws(CommandLineError) -> ParsedArguments {
        while position < words.count {
            let word = words[position]
            position += 1
            if word == "--" {
                positionals += words[position...]
                break
            } else if word.hasPrefix("--") {
                try longOption(word.dropFirst(2))
            } else if Self.looksLikeOption(word) {
                try shortOption(word.dropFirst())
            } else {
                positionals.append(word)
            }
        }
        try assignArguments()
        return parsed
    }

    private mutating func longOption(_ text: Substring) throws(CommandLineError) {
        let name: Substring, attached: String?
        if let equals = text.firstIndex(of: "=") {
            (name, attached) = (text[..<equals], String(text[text.index(after: equals)...]))
        } else {
            (name, attached) = (text, nil)
        }
        guard let option = command.option(long: String(name)) else {
            throw parsed.invalid("Unknown option '--\(name)'")
        }
        try record(option, attached: attached)
    }

    private mutating func shortOption(_ text: Substring) throws(CommandLineError) {
        guard let letter = text.first, let option = command.option(short: letter) else {
            throw parsed.invalid("Unknown option '-\(text)'")
        }
        let rest = text.dropFirst()
        if option.takesValue {
            try record(option, attached: rest.isEmpty ? nil : String(rest.hasPrefix("=") ? rest.dropFirst() : rest))
        } else {
            guard rest.isEmpty else { throw parsed.invalid("Unknown option '-\(text)'") }
            try record(option, attached: nil)
        }
    }

    private mutating func record(_ option: OptionSpec, attached: String?) throws(CommandLineError) {
        guard option.takesValue else {
            if attached != nil { throw parsed.invalid("The flag '--\(option.long)' does not take a value") }
            parsed.optionValues[option.long, default: []].append("")
            return
        }
        let value: String
        if let attached {
            value = attached
        } else if position < words.count, !Self.looksLikeOption(words[position]) {
            value = words[position]
            position += 1
        } else {
            throw parsed.invalid("Missing value for '\(option.synopsis)'")
        }
        parsed.optionValues[option.long, default: []].append(value)
    }

    private mutating func assignArguments() throws(CommandLineError) {
        var remaining = positionals[...]
        for argument in command.arguments {
            switch argument.arity {
            case .required:
                guard let value = remaining.popFirst() else {
                    throw parsed.invalid("Missing expected argument '\(argument.usage)'")
                }
                parsed.argumentValues[argument.name] = [value]
            case .optional:
                if let value = remaining.popFirst() { parsed.argumentValues[argument.name] = [value] }
            case .variadic:
                parsed.argumentValues[argument.name] = Array(remaining)
                remaining = []
            }
        }
        if let extra = remaining.first { throw parsed.invalid("Unexpected argument '\(extra)'") }
    }

    /// `-x`, `--name`: an option; `-`, `-1` and `-0.5` are values.
    private static func looksLikeOption(_ word: String) -> Bool {
        word.hasPrefix("-") && word.count > 1 && Double(word) == nil
    }
}
