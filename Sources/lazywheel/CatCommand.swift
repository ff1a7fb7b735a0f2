import ArgumentParser
import Foundation
import LazyWheelCore

/// `lazywheel cat <url|path> <member>`: one member of a wheel, decompressed.
struct CatCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cat", abstract: "Print one member of a wheel, fetched with one range request and CRC-checked.")

    @OptionGroup var wheel: WheelArgument

    @Argument(help: "The member's path inside the wheel, e.g. requests-2.32.3.dist-info/RECORD.")
    var member: String

    @OptionGroup var options: WheelReadingOptions

    func run() throws {
        try runWithEngine(options: options) { engine in
            let opened = try engine.open(try WheelLocation(parsing: wheel.wheel))
            writeStandardOutput(try opened.readMember(named: member))
        }
    }
}
