/// What a command line gave one subcommand: option values by long name and argument values by
/// name, read through typed accessors. Asking for a name the command does not declare is a
/// programming error and traps.
public struct ParsedArguments: Sendable {
    /// The subcommand parsed.
    public let command: CommandSpec
    /// The program, for the usage line of an error (made only when there is one).
    let program: ProgramSpec
    /// Values by option long name, in command-line order (a flag has one empty string per use).
    var optionValues: [String: [String]] = [:]
    /// Values by argument name.
    var argumentValues: [String: [String]] = [:]

    init(command: CommandSpec, program: ProgramSpec) {
        self.command = command
        self.program = program
    }

    /// Whether the flag `--long` was given.
    public func flag(_ long: String) -> Bool {
        precondition(command.option(long: long)?.kind == .flag, "\(command.name) has no flag --\(long)")
        return optionValues[long] != nil
    }

    /// The value of `--long` (the last one when given more than once), or nil.
    public func value(_ long: String) -> String? {
        declaredWithValue(long)
        return optionValues[long]?.last
    }

    /// Every value of the repeatable `--long`, in order.
    public func values(_ long: String) -> [String] {
        declaredWithValue(long)
        return optionValues[long] ?? []
    }

    /// The value of `--long` converted by `convert`; a value it rejects is a usage error naming
    /// the option (and `expected`, when given, e.g. the allowed values).
    public func value<T>(
        _ long: String, expected: @autoclosure () -> String? = nil, _ convert: (String) -> T?
    ) throws(CommandLineError) -> T? {
        guard let text = value(long) else { return nil }
        guard let converted = convert(text) else {
            let option = command.option(long: long)!
            throw invalid("The value '\(text)' is invalid for '\(option.synopsis)'" + (expected().map { ". \($0)" } ?? ""))
        }
        return converted
    }

    /// The value of the argument `name` (nil for an optional one not given).
    public func argument(_ name: String) -> String? {
        precondition(command.arguments.contains { $0.name == name }, "\(command.name) has no argument <\(name)>")
        return argumentValues[name]?.first
    }

    /// Every value of the variadic argument `name`.
    public func arguments(_ name: String) -> [String] {
        precondition(command.arguments.contains { $0.name == name && $0.arity == .variadic }, "\(command.name) has no variadic <\(name)>")
        return argumentValues[name] ?? []
    }

    /// A usage error for this command, for checks the command makes itself.
    public func invalid(_ message: String) -> CommandLineError {
        CommandLineError(
            message: message, usage: program.usage(of: command), helpCommand: "\(program.name) \(command.name) --help")
    }

    private func declaredWithValue(_ long: String) {
        precondition(command.option(long: long)?.takesValue == true, "\(command.name) has no option --\(long) with a value")
    }
}
