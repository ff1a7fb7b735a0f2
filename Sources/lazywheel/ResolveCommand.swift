import ArgumentParser
import Foundation
import LazyWheelCore
import PackagingStandards
import Resolver

/// `lazywheel resolve`: pin a dependency set for a target, like `uv pip compile`.
struct ResolveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resolve",
        abstract: "Resolve requirements to pinned versions for a target Python and platform.",
        discussion: """
            Prints name==version lines sorted by name, like `uv pip compile`. Metadata comes from \
            PEP 658 files when the index has them, else from range requests into the wheels.
            """)

    @Argument(help: "Requirements, e.g. 'requests>=2' 'numpy'.")
    var requirements: [String] = []

    @Option(name: [.customShort("r"), .long], help: "A requirements file (repeatable).")
    var requirement: [String] = []

    @Option(name: [.customShort("c"), .long], help: "A constraints file (repeatable).")
    var constraint: [String] = []

    @OptionGroup var index: IndexArguments

    @Option(help: "Alias of --platform in uv's spelling, e.g. x86_64-manylinux_2_28.")
    var pythonPlatform: String?

    @Option(help: "Which pre-releases may be picked, as uv's --prerelease.")
    var prerelease: PrereleasePolicy = .ifNecessaryOrExplicit

    @Flag(name: [.customLong("no-build"), .customLong("wheels-only")], help: "Only wheels, as uv's --no-build (--wheels-only is an alias): versions with only an sdist are skipped.")
    var noBuild = false

    @Option(help: "Only wheels for these projects (comma-separated names, :all: or :none:; repeatable), as pip and uv.")
    var onlyBinary: [String] = []

    @Option(help: "Only versions with an sdist for these projects (names, :all: or :none:; repeatable), as pip and uv; wheels still give the metadata.")
    var noBinary: [String] = []

    @Option(name: [.customShort("o"), .long], help: "Write the pins to this file as well.")
    var outputFile: String?

    @Flag(help: "Print {packages:[{name, version, url, requires, extrasUsed}], stats}.")
    var json = false

    @OptionGroup var options: WheelReadingOptions

    func run() throws {
        try runWithEngine(options: options) { engine in
            var input = ResolutionInput()
            input.requirements = requirements
            input.requirementFiles = requirement
            input.constraintFiles = constraint
            input.index = index.options(network: options.network)
            input.python = index.pythonVersion
            input.platform = pythonPlatform ?? index.platform
            input.prerelease = prerelease
            input.wheelsOnly = noBuild
            input.onlyBinary = onlyBinary
            input.noBinary = noBinary
            let resolution: Resolution
            do {
                resolution = try ResolutionService(engine: engine).resolve(input)
            } catch let error as ResolutionError {
                printError("lazywheel: no solution:\n\(error)")
                throw ExitCode.failure
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

extension PrereleasePolicy: ExpressibleByArgument {}
