import Foundation
import PackageIndex
import PackagingStandards
import Resolver
import WorkScheduling

/// What to resolve, as the command line and the `resolve` method describe it.
public struct ResolutionInput: Sendable {
    /// PEP 508 requirement strings.
    public var requirements: [String] = []
    /// Paths of requirements files (`-r`).
    public var requirementFiles: [String] = []
    /// Constraint strings and paths of constraints files (`-c`).
    public var constraints: [String] = []
    public var constraintFiles: [String] = []
    public var index = IndexOptions()
    public var python: String?
    public var platform: String?
    public var prerelease: PrereleasePolicy?
    public var wheelsOnly = false
    /// `--only-binary` values (project names, `:all:`, `:none:`; comma-separated), as pip and uv.
    public var onlyBinary: [String] = []
    /// `--no-binary` values.
    public var noBinary: [String] = []

    public init() {}
}

/// Why a resolution input could not be read.
public enum ResolutionInputError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidRequirement(String, reason: String)
    case nothingToResolve

    public var description: String {
        switch self {
        case let .invalidRequirement(text, reason): "'\(text)' is not a valid requirement: \(reason)"
        case .nothingToResolve: "nothing to resolve: give requirements or -r FILE"
        }
    }
}

/// Runs the resolver over the package index for the command line and the server: merges
/// requirement strings and files, picks the index (flags, then the files' `--index-url` lines, then
/// the environment and pip/uv configuration) and the target.
public struct ResolutionService: Sendable {
    public let engine: WheelEngine
    public let environment: ConfigurationEnvironment

    public init(engine: WheelEngine, environment: ConfigurationEnvironment = .process()) {
        self.engine = engine
        self.environment = environment
    }

    /// The request `input` describes, and the index to resolve it against: `sessionIndex` (already
    /// configured, with its in-memory state) when neither the input nor its files name an index.
    public func prepare(_ input: ResolutionInput, sessionIndex: ProjectIndex? = nil) throws -> (ResolutionRequest, ProjectIndex) {
        var merged = RequirementsFile()
        for path in input.requirementFiles {
            let file = try RequirementsFile.parse(path: path, environment: environment.variables)
            merged.requirements += file.requirements
            merged.constraints += file.constraints
            merged.indexURL = merged.indexURL ?? file.indexURL
            merged.extraIndexURLs += file.extraIndexURLs
            merged.findLinks += file.findLinks
            merged.allowPrereleases = merged.allowPrereleases || file.allowPrereleases
            merged.binaryFormats.formUnion(file.binaryFormats)
        }
        for path in input.constraintFiles {
            let file = try RequirementsFile.parse(path: path, environment: environment.variables)
            merged.constraints += file.requirements + file.constraints
        }
        merged.requirements += try input.requirements.map(Self.requirement)
        merged.constraints += try input.constraints.map(Self.requirement)
        guard !merged.requirements.isEmpty else { throw ResolutionInputError.nothingToResolve }

        var options = IndexOptions(
            indexURL: input.index.indexURL ?? merged.indexURL,
            extraIndexURLs: input.index.extraIndexURLs + merged.extraIndexURLs,
            findLinks: input.index.findLinks + merged.findLinks, allowsLocalLocations: input.index.allowsLocalLocations)
        options.keyringProvider = input.index.keyringProvider
        let index = try (options.namesNoLocation ? sessionIndex : nil)
            ?? ProjectIndex(engine: engine, options: options, environment: environment)
        let lookup = try LookupTarget.resolve(python: input.python, platform: input.platform)
        let target = try TargetEnvironment(pythonVersion: lookup.python, platform: lookup.platform)
        var request = ResolutionRequest(
            requirements: merged.requirements, constraints: merged.constraints, target: target,
            prerelease: merged.allowPrereleases ? .allow : (input.prerelease ?? .ifNecessaryOrExplicit),
            wheelsOnly: input.wheelsOnly)
        request.binaryFormats.formUnion(merged.binaryFormats)
        for value in input.onlyBinary { request.binaryFormats.addOnlyBinary(value) }
        for value in input.noBinary { request.binaryFormats.addNoBinary(value) }
        return (request, index)
    }

    /// Resolves `input`; `progress` receives (resolved, discovered) counts.
    public func resolve(
        _ input: ResolutionInput, sessionIndex: ProjectIndex? = nil, cancellation: CancellationToken? = nil,
        progress: (@Sendable (Int, Int) -> Void)? = nil
    ) throws -> Resolution {
        let (request, index) = try prepare(input, sessionIndex: sessionIndex)
        let source = IndexPackageSource(index: index.client, fetcher: index.fetcher)
        return try PythonResolver().resolve(
            request, source: source, cancellation: cancellation, progress: progress)
    }

    static func requirement(_ text: String) throws -> Requirement {
        do {
            return try Requirement(text)
        } catch {
            throw ResolutionInputError.invalidRequirement(text, reason: "\(error)")
        }
    }
}
