/// Renders `--help` text from the declarations: an overview, the usage line, then the arguments,
/// options (or subcommands) with their help wrapped to the width of a terminal.
public struct HelpFormatter: Sendable {
    public let program: ProgramSpec
    /// Total line width.
    public var width = 80
    /// Column where help text starts.
    public var helpColumn = 26

    public init(program: ProgramSpec) {
        self.program = program
    }

    /// The program's help: what it is, and its subcommands.
    public func programHelp() -> String {
        var text = "OVERVIEW: " + wrap(program.abstract, indent: 0, firstLineUsed: 10) + "\n\n"
        text += "USAGE: \(program.usage)\n\n"
        text += "OPTIONS:\n"
        text += row("--version", "Show the version.")
        text += row("-h, --help", "Show help information.")
        text += "\nSUBCOMMANDS:\n"
        for command in program.commands { text += row(command.name, command.abstract) }
        text += "\n  See '\(program.name) help <subcommand>' for detailed help.\n"
        return text
    }

    /// One subcommand's help.
    public func commandHelp(_ command: CommandSpec) -> String {
        var text = "OVERVIEW: " + wrap(command.abstract, indent: 0, firstLineUsed: 10) + "\n\n"
        if let discussion = command.discussion {
            text += wrap(discussion, indent: 0, firstLineUsed: 0) + "\n\n"
        }
        text += "USAGE: \(program.usage(of: command))\n"
        if !command.arguments.isEmpty {
            text += "\nARGUMENTS:\n"
            for argument in command.arguments { text += row("<\(argument.name)>", argument.help) }
        }
        text += "\nOPTIONS:\n"
        for option in command.options {
            let names = (option.short.map { "-\($0), " } ?? "") + option.synopsis
            text += row(names, option.help)
        }
        text += row("-h, --help", "Show help information.")
        return text
    }

    /// `  name                    help…`, the help on the next line when the name is too wide.
    private func row(_ name: String, _ help: String) -> String {
        let lead = "  " + name
        if lead.count + 2 <= helpColumn {
            return lead + String(repeating: " ", count: helpColumn - lead.count) + wrap(help, indent: helpColumn, firstLineUsed: helpColumn) + "\n"
        }
        return lead + "\n" + String(repeating: " ", count: helpColumn) + wrap(help, indent: helpColumn, firstLineUsed: helpColumn) + "\n"
    }

    /// `text` broken at spaces so no line passes `width`; lines after the first are indented by
    /// `indent`, the first already has `firstLineUsed` columns taken. Words longer than a line stay whole.
    func wrap(_ text: String, indent: Int, firstLineUsed: Int) -> String {
        var result = ""
        var column = firstLineUsed
        var lineHasWord = false
        for word in text.split(separator: " ", omittingEmptySubsequences: true) {
            if lineHasWord && column + 1 + word.count > width {
                result += "\n" + String(repeating: " ", count: indent)
                column = indent
                lineHasWord = false
            }
            if lineHasWord {
                result += " "
                column += 1
            }
            result += word
            column += word.count
            lineHasWord = true
        }
        return result
    }
}
