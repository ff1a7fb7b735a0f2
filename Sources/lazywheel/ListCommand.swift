import CommandLineParsing
import Foundation
import LazyWheelServer

/// `lazywheel ls <url|path>`: the members of a wheel, from its central directory alone.
struct ListCommand: Subcommand {
    static let spec = CommandSpec(
        name: "ls",
        abstract: "List a wheel's members from its central directory (usually one range request).",
        arguments: [ArgumentSpec("wheel", help: "The wheel: an http(s) URL, a file:// URL or a path.")],
        options: [.flag("json", help: "Print {entries:[{name, offset, compressedSize, size, crc32, method}]}.")]
            + WheelReadingOptions.specs)

    let wheel: String
    let json: Bool
    let options: WheelReadingOptions

    init(_ arguments: ParsedArguments) throws(CommandLineError) {
        wheel = arguments.argument("wheel")!
        json = arguments.flag("json")
        options = try WheelReadingOptions(arguments)
    }

    func run() throws {
        try runWithEngine(options: options) { engine in
            let opened = try engine.open(try WheelLocation(parsing: wheel))
            let listing = EntryListing(archive: opened.wheel.archive)
            if json {
                writeStandardOutput(try encodeJSON(listing))
            } else {
                var text = ""
                for entry in listing.entries {
                    let size = String(entry.size).leftPadded(to: 10)
                    let name = TerminalText.escapingControlCharacters(entry.name)
                    text += "\(size)  \(entry.method.leftPadded(to: 8))  \(name)\n"
                }
                writeStandardOutput(Data(text.utf8))
            }
        }
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
