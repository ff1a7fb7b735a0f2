import ArgumentParser
import Foundation
import LazyWheelCore

/// `lazywheel ls <url|path>`: the members of a wheel, from its central directory alone.
struct ListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ls", abstract: "List a wheel's members from its central directory (usually one range request).")

    @OptionGroup var wheel: WheelArgument

    @Flag(help: "Print {entries:[{name, offset, compressedSize, size, crc32, method}]}.")
    var json = false

    @OptionGroup var options: WheelReadingOptions

    func run() throws {
        try runWithEngine(options: options) { engine in
            let opened = try engine.open(try WheelLocation(parsing: wheel.wheel))
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
