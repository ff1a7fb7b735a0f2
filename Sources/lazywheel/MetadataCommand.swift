import ArgumentParser
import Foundation
import LazyWheelCore
import PackageIndex
import PackagingStandards

/// `lazywheel metadata <url|path|requirement>`: core metadata of a wheel, or of the best version of a
/// project on the index.
struct MetadataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "metadata",
        abstract: "Print a wheel's core metadata with one or two range requests, or a project's from the index.",
        discussion: """
            WHEEL is an http(s) URL, a file:// URL or a path to a .whl; anything else is read as a \
            requirement (`requests`, `requests>=2.31`, `numpy==2.1.3`) and looked up on the index: the \
            newest matching version with a wheel for the target (PEP 658 metadata files when the index \
            has them, else range requests).
            """)

    @Argument(help: "A wheel (URL or path) or a requirement such as 'requests>=2'.")
    var wheel: String

    @Flag(help: "Print one JSON object (name, version, requiresDist, ..., raw).")
    var json = false

    @OptionGroup var index: IndexArguments
    @OptionGroup var options: WheelReadingOptions

    func run() throws {
        try runWithEngine(options: options) { engine in
            if let requirement = Self.requirement(wheel) {
                let lookup = try ProjectIndex(engine: engine, options: index.options(network: options.network))
                let target = try LookupTarget.resolve(python: index.pythonVersion, platform: index.platform)
                let document = try lookup.metadata(
                    project: requirement.name, specifier: requirement.specifier.description, target: target)
                if json {
                    writeStandardOutput(try encodeJSON(document))
                } else {
                    printError(TerminalText.escapingControlCharacters(
                        "lazywheel: \(requirement.name) \(document.metadata.version ?? "?") from \(document.filename)"))
                    writeStandardOutput(Data(TerminalText.escapingControlCharacters(document.metadata.raw).utf8))
                }
                return
            }
            let metadata = try engine.metadata(at: try WheelLocation(parsing: wheel))
            writeStandardOutput(
                json ? try encodeJSON(metadata) : Data(TerminalText.escapingControlCharacters(metadata.raw).utf8))
        }
    }

    /// The requirement `text` names, when it is not a URL, a path or an archive file name.
    static func requirement(_ text: String) -> Requirement? {
        let lowered = text.lowercased()
        if text.contains("/") || text.contains("://") || FileManager.default.fileExists(atPath: text) { return nil }
        if [".whl", ".zip", ".tar.gz"].contains(where: lowered.hasSuffix) { return nil }
        return try? Requirement(text)
    }
}
