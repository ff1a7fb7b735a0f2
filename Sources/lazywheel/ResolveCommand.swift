import CommandLineParsing
import Foundation
import LazyWheelServer
import PackagingStandards
import Resolver

/// `lazywheel resolve`: pin a dependency set for a target, like `uv pip compile`.
struct ResolveCommand: Subcommand {
    static let spec = CommandSpec(
        name: "resolve",
        abstract: "Resolve requirements to pinned versions for a target Python and platform.",
        discussion: """
            Prints name==version lines sorted by name, like `uv pip compile`. Metadata comes from \
            PEP 658 files when the index has them, else from range requests into the wheels.
            """,
        arguments: [ArgumentSpec("requirements", arity: .variadic, help: "Requirements, e.g. 'requests>=2' 'numpy'.")],
        options: [
            .repeated("requirement", short: "r", help: "A requirements file (repeatable)."),
            .repeated("constraint", short: "c", help: "A constraints file (repeatable)."),
        ] + IndexArguments.specs + [
            .value("python-platform", help: "Alias of --platform in uv's spelling, e.g. x86_64-manylinux_2_28."),
            .value("prerelease", help: "Pre-release policy: \(policySpellings { $0 }) (default: if-necessary-or-explicit, as uv)."),
            .flag("no-build", help: "Only wheels, as uv's --no-build: versions with only an sdist are skipped."),
            .flag("wheels-only", help: "Alias of --no-build."),
            .repeated("only-binary", help: "Only wheels for these projects (comma-separated names, :all: or :none:), as pip and uv."),
            .repeated("no-binary", help: "Only versions with an sdist for these projects (names, :all: or :none:), as pip and uv; wheels still give the metadata."),
            .value("output-file", short: "o", help: "Write the pins to this file as well."),
            .flag("json", help: "Print {packages:[{name, version, url, requires, extrasUsed}], stats}."),
        ] + WheelReadingOptions.specs)

    let requirements: [String]
    let requirementFiles: [String]
    let constraintFiles: [String]
    let index: IndexArguments
    let pythonPlatform: String?
    let prerelease: PrereleasePolicy
    let wheelsOnly: Bool
    let onlyBinary: [String]
    let noBinary: [String]
    let outputFile: String?
    let json: Bool
    let options: WheelReadingOptions

    init(_ arguments: ParsedArguments) throws(CommandLineError) {
        requirements = arguments.arguments("requirements")
        requirementFiles = arguments.values("requirement")
        constraintFiles = arguments.values("constraint")
        index = IndexArguments(arguments)
        pythonPlatform = arguments.value("python-platform")
        prerelease = try arguments.value("prerelease", expected: "Please provide one of \(Self.policySpellings { "'\($0)'" })") {
            PrereleasePolicy(rawValue: $0)
        } ?? .ifNecessaryOrExplicit
        wheelsOnly = arguments.flag("no-build") || arguments.flag("wheels-only")
        onlyBinary = arguments.values("only-binary")
        noBinary = arguments.values("no-binary")
        outputFile = arguments.value("output-file")
        json = arguments.flag("json")
        options = try WheelReadingOptions(arguments)
    }

    /// The pre-release policies' spellings, each written by `spell`, separated by commas
    /// (`joinedPlainly`: `joined(separator:)` here, run by every `resolve` as its options are
    /// declared, spent about 0.3 ms in the Swift runtime's generic type lookups).
    private static func policySpellings(_ spell: (String) -> String) -> String {
        PrereleasePolicy.allCases.map { spell($0.rawValue) }.joinedPlainly(separator: ", ")
    }

    func run() throws {
        try runWithEngine(options: options) { engine in
            var input = ResolutionInput()
            input.requirements = requirements
            input.requirementFiles = requirementFiles
            input.constraintFiles = constraintFiles
            input.index = index.options
            input.python = index.pythonVersion
            input.platform = pythonPlatform ?? index.platform
            input.prerelease = prerelease
            input.wheelsOnly = wheelsOnly
            input.onlyBinary = onlyBinary
            input.noBinary = noBinary
            let resolution: Resolution
            do {
                resolution = try ResolutionService(engine: engine).resolve(input)
            } catch let error as ResolutionError {
                printError("lazywheel: no solution:\n\(error)")
                throw ExitStatus.failure
            }
            var pins = ""
            for package in resolution.packages { pins += package.name + "==" + package.version + "\n" }
            if pins.isEmpty { pins = "\n" }
            if let outputFile {
                try Data(pins.utf8).write(to: URL(fileURLWithPath: outputFile))
            }
            if json {
                writeStandardOutput(try encodeJSON(ResolutionDocument(resolution, transfer: engine.statistics.snapshot)))
            } else {
                writeStandardOutput(Data(pins.utf8))
            }
        }
    }
}
