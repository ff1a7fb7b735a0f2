import ArgumentParser
import Foundation
import LazyWheelServer

/// `lazywheel metadata <url|path>`: a wheel's core metadata.
struct MetadataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "metadata",
        abstract: "Print a wheel's core metadata (METADATA) with one or two range requests.")

    @Argument(help: "The wheel: an http(s) URL, a file:// URL or a path.")
    var wheel: String

    @Flag(help: "Print one JSON object (name, version, requiresDist, ..., raw).")
    var json = false

    @OptionGroup var options: WheelReadingOptions

    func run() throws {
        try runWithEngine(options: options) { engine in
            let opened = try engine.open(try WheelLocation(parsing: wheel))
            let metadata = try engine.metadata(of: opened)
            if json {
                writeStandardOutput(try encodeJSON(metadata))
            } else {
                writeStandardOutput(Data(metadata.raw.utf8))
            }
        }
    }
}
