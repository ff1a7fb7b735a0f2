import Testing
@testable import CommandLineParsing

@Suite("help text")
struct HelpFormatterTests {
    @Test("a subcommand's help: overview, discussion, usage, arguments and options, wrapped")
    func commandHelp() {
        let command = CommandSpec(
            name: "ls", abstract: "List a wheel's members.",
            discussion: "Reads the central directory only.",
            arguments: [ArgumentSpec("wheel", help: "The wheel: an http(s) URL, a file:// URL or a path.")],
            options: [
                .flag("json", help: "Print JSON."),
                .value("timeout", valueName: "seconds", help: "Seconds without a byte arriving before an HTTP attempt is abandoned (default 30)."),
                .repeated("requirement", short: "r", help: "A requirements file."),
            ])
        let program = ProgramSpec(name: "tool", version: "1", abstract: "A tool.", commands: [command])
        #expect(HelpFormatter(program: program).commandHelp(command) == """
            OVERVIEW: List a wheel's members.

            Reads the central directory only.

            USAGE: tool ls [<options>] <wheel>

            ARGUMENTS:
              <wheel>                 The wheel: an http(s) URL, a file:// URL or a path.

            OPTIONS:
              --json                  Print JSON.
              --timeout <seconds>     Seconds without a byte arriving before an HTTP attempt
                                      is abandoned (default 30).
              -r, --requirement <requirement>
                                      A requirements file.
              -h, --help              Show help information.

            """)
    }

    @Test("the program's help lists the subcommands")
    func programHelp() {
        let program = ProgramSpec(name: "tool", version: "1", abstract: "A tool.", commands: [
            CommandSpec(name: "serve", abstract: "Serve.", options: []),
            CommandSpec(name: "ls", abstract: "List.", options: []),
        ])
        let text = HelpFormatter(program: program).programHelp()
        #expect(text.contains("USAGE: tool <subcommand>"))
        #expect(text.contains("\n  serve                   Serve.\n  ls                      List.\n"))
        #expect(text.contains("See 'tool help <subcommand>' for detailed help."))
    }

    @Test("a word longer than the line stays whole")
    func longWord() {
        let formatter = HelpFormatter(program: ProgramSpec(name: "t", version: "1", abstract: "", commands: []))
        let word = String(repeating: "x", count: 100)
        #expect(formatter.wrap("a \(word) b", indent: 2, firstLineUsed: 0) == "a\n  \(word)\n  b")
    }
}
