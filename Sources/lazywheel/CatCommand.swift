import CommandLineParsing
import Foundation
import LazyWheelServer

/// `lazywheel cat <url|path> <member>`: one member of a wheel, decompressed.
struct CatCommand: Subcommand {
    static let spec = CommandSpec(
        name: "cat",
        abstract: "Print one member of a wheel, fetched with one range request and CRC-checked.",
        arguments: [
            ArgumentSpec("wheel", help: "The wheel: an http(s) URL, a file:// URL or a path."),
            ArgumentSpec("member", help: "The member's path inside the wheel, e.g. requests-2.32.3.dist-info/RECORD."),
        ],
        options: WheelReadingOptions.specs)

    let wheel: String
    let member: String
    let options: WheelReadingOptions

    init(_ arguments: ParsedArguments) throws(CommandLineError) {
        wheel = arguments.argument("wheel")!
        member = arguments.argument("member")!
        options = try WheelReadingOptions(arguments)
    }

    func run() throws {
        try runWithEngine(options: options) { engine in
            let opened = try engine.open(try WheelLocation(parsing: wheel))
            writeStandardOutput(try opened.readMember(named: member))
        }
    }
}
