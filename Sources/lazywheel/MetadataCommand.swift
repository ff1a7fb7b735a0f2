import CommandLineParsing
import Foundation
import LazyWheelServer
import PackageIndex
import PackagingStandards

/// Where `--index-url` and friends come from on the command line.
struct IndexArguments {
    static let specs: [OptionSpec] = [
        .value("index-url", help: "The package index (PEP 503/691 simple API). Default: LAZYWHEEL_INDEX_URL, PIP_INDEX_URL, UV_INDEX_URL/UV_DEFAULT_INDEX, pip.conf or uv.toml."),
        .repeated("extra-index-url", help: "More indexes, asked after the first (repeatable)."),
        .repeated("find-links", help: "A directory or page of links to wheels and sdists (repeatable)."),
        .value("python-version", help: "Target Python, e.g. 3.12 (default: the host's python3)."),
        .value("platform", help: "Target platform, e.g. manylinux_2_28_x86_64, macosx_14_0_arm64, win_amd64 (default: the host)."),
    ]

    var options: IndexOptions
    let pythonVersion: String?
    let platform: String?

    init(_ arguments: ParsedArguments) {
        options = IndexOptions(
            indexURL: arguments.value("index-url"), extraIndexURLs: arguments.values("extra-index-url"),
            findLinks: arguments.values("find-links"))
        options.keyringProvider = arguments.value("keyring-provider")
        pythonVersion = arguments.value("python-version")
        platform = arguments.value("platform")
    }
}

/// `lazywheel metadata <url|path|requirement>`: core metadata of a wheel, or of the best version of a
/// project on the index.
struct MetadataCommand: Subcommand {
    static let spec = CommandSpec(
        name: "metadata",
        abstract: "Print a wheel's core metadata with one or two range requests, or a project's from the index.",
        discussion: """
            WHEEL is an http(s) URL, a file:// URL or a path to a .whl; anything else is read as a \
            requirement (`requests`, `requests>=2.31`, `numpy==2.1.3`) and looked up on the index: the \
            newest matching version with a wheel for the target (PEP 658 metadata files when the index \
            has them, else range requests).
            """,
        arguments: [ArgumentSpec("wheel", help: "A wheel (URL or path) or a requirement such as 'requests>=2'.")],
        options: [.flag("json", help: "Print one JSON object (name, version, requiresDist, ..., raw).")]
            + IndexArguments.specs + WheelReadingOptions.specs)

    let wheel: String
    let json: Bool
    let index: IndexArguments
    let options: WheelReadingOptions

    init(_ arguments: ParsedArguments) throws(CommandLineError) {
        wheel = arguments.argument("wheel")!
        json = arguments.flag("json")
        index = IndexArguments(arguments)
        options = try WheelReadingOptions(arguments)
    }

    func run() throws {
        try runWithEngine(options: options) { engine in
            if let requirement = Self.requirement(wheel) {
                let lookup = try ProjectIndex(engine: engine, options: index.options)
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
