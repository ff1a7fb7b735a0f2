import Testing
@testable import CommandLineParsing

@Suite("command-line parsing")
struct CommandLineParserTests {
    static let resolve = CommandSpec(
        name: "resolve", abstract: "Resolve requirements.",
        arguments: [ArgumentSpec("requirements", arity: .variadic, help: "Requirements.")],
        options: [
            .repeated("requirement", short: "r", help: "A requirements file."),
            .value("index-url", help: "The index."),
            .value("timeout", valueName: "seconds", help: "Seconds."),
            .flag("json", help: "JSON."),
        ])
    static let cat = CommandSpec(
        name: "cat", abstract: "One member.",
        arguments: [ArgumentSpec("wheel", help: "The wheel."), ArgumentSpec("member", arity: .optional, help: "The member.")],
        options: [.flag("stats", help: "Counts.")])
    static let program = ProgramSpec(name: "tool", version: "1.2.3", abstract: "A tool.", commands: [resolve, cat])

    func run(_ words: String...) throws(CommandLineError) -> ParsedArguments {
        guard case .run(let parsed) = try Self.program.parse(words) else {
            Issue.record("expected a command to run")
            return ParsedArguments(command: Self.cat, program: Self.program)
        }
        return parsed
    }

    func error(_ words: String...) -> CommandLineError? {
        do {
            _ = try Self.program.parse(words)
            return nil
        } catch {
            return error
        }
    }

    @Test("options and arguments in any order, both value spellings, repeated values kept")
    func optionsAndArguments() throws {
        let parsed = try run("resolve", "flask", "-r", "a.txt", "--index-url=http://x/simple", "-rb.txt", "--json", "rich", "--requirement", "c.txt")
        #expect(parsed.command.name == "resolve")
        #expect(parsed.arguments("requirements") == ["flask", "rich"])
        #expect(parsed.values("requirement") == ["a.txt", "b.txt", "c.txt"])
        #expect(parsed.value("index-url") == "http://x/simple")
        #expect(parsed.flag("json"))
    }

    @Test("the last of a repeated single-value option counts; absent options are nil or empty")
    func lastValueWins() throws {
        let parsed = try run("resolve", "--index-url", "a", "--index-url", "b")
        #expect(parsed.value("index-url") == "b")
        #expect(parsed.value("timeout") == nil)
        #expect(parsed.values("requirement") == [])
        #expect(!parsed.flag("json"))
    }

    @Test("everything after -- is an argument; negative numbers are values")
    func terminatorAndNegativeNumbers() throws {
        let parsed = try run("resolve", "--timeout", "-1", "--", "--json", "-r")
        #expect(parsed.value("timeout") == "-1")
        #expect(parsed.arguments("requirements") == ["--json", "-r"])
        #expect(!parsed.flag("json"))
    }

    @Test("required and optional arguments")
    func positionalArity() throws {
        let both = try run("cat", "w.whl", "pkg/METADATA")
        #expect(both.argument("wheel") == "w.whl")
        #expect(both.argument("member") == "pkg/METADATA")
        let one = try run("cat", "w.whl")
        #expect(one.argument("member") == nil)
        #expect(error("cat")?.message == "Missing expected argument '<wheel>'")
        #expect(error("cat", "a", "b", "c")?.message == "Unexpected argument 'c'")
    }

    @Test("usage errors name the problem, the usage line and the help command")
    func usageErrors() {
        let unknown = error("resolve", "--cache-dir", "x")
        #expect(unknown?.message == "Unknown option '--cache-dir'")
        #expect(unknown?.usage == "tool resolve [<options>] [<requirements> ...]")
        #expect(unknown?.helpCommand == "tool resolve --help")
        #expect(unknown?.description == """
            Error: Unknown option '--cache-dir'
            Usage: tool resolve [<options>] [<requirements> ...]
              See 'tool resolve --help' for more information.
            """)
        #expect(error("resolve", "-x")?.message == "Unknown option '-x'")
        #expect(error("resolve", "--index-url")?.message == "Missing value for '--index-url <index-url>'")
        #expect(error("resolve", "--index-url", "--json")?.message == "Missing value for '--index-url <index-url>'")
        #expect(error("resolve", "--json=yes")?.message == "The flag '--json' does not take a value")
        #expect(error("frobnicate")?.message == "Unknown subcommand 'frobnicate'; the subcommands are resolve, cat")
        #expect(error("--frob")?.message == "Unknown option '--frob'")
        #expect(error("--frob")?.helpCommand == "tool --help")
    }

    @Test("typed values: a value the conversion rejects is a usage error naming the option")
    func typedValues() throws {
        let parsed = try run("resolve", "--timeout", "2.5")
        #expect(try parsed.value("timeout") { Double($0) } == 2.5)
        let bad = try run("resolve", "--timeout", "soon")
        #expect(throws: CommandLineError.self) { try bad.value("timeout") { Double($0) } }
        do {
            _ = try bad.value("timeout", expected: "Give a number") { Double($0) }
        } catch {
            #expect(error.message == "The value 'soon' is invalid for '--timeout <seconds>'. Give a number")
        }
        #expect(parsed.invalid("no good").usage == "tool resolve [<options>] [<requirements> ...]")
    }

    @Test("help and version requests")
    func helpAndVersion() throws {
        guard case .version(let version) = try Self.program.parse(["--version"]) else { Issue.record("version"); return }
        #expect(version == "1.2.3")
        for words in [[], ["-h"], ["--help"], ["help"]] {
            guard case .help(let text) = try Self.program.parse(words) else { Issue.record("\(words)"); continue }
            #expect(text.hasPrefix("OVERVIEW: A tool."))
        }
        for words in [["help", "cat"], ["cat", "--help"], ["cat", "x", "-h", "--bogus"], ["cat", "-h"]] {
            guard case .help(let text) = try Self.program.parse(words) else { Issue.record("\(words)"); continue }
            #expect(text.hasPrefix("OVERVIEW: One member."))
        }
        // After `--`, -h is an argument.
        let parsed = try run("cat", "--", "-h")
        #expect(parsed.argument("wheel") == "-h")
    }
}
