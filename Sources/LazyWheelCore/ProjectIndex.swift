import Foundation
import HTTPRange
import LazyZip
import PackageIndex
import PackagingStandards
import WorkScheduling

/// The Python version and platform a project lookup or a resolution is for, as the user gave them.
public struct LookupTarget: Sendable, Equatable {
    /// `X.Y` (or `X.Y.Z`).
    public var python: String
    public var platform: TargetPlatform

    public init(python: String, platform: TargetPlatform) {
        self.python = python
        self.platform = platform
    }

    /// The given values, else the host's `python3` version (3.12 when there is none) and platform.
    public static func resolve(python: String?, platform: String?) throws -> LookupTarget {
        let platform = try platform.map { try TargetPlatform($0) } ?? TargetPlatform.host()
        return LookupTarget(python: python ?? hostPythonVersion() ?? "3.12", platform: platform)
    }

    /// `X.Y` of the `python3` on PATH, when there is one.
    package static func hostPythonVersion() -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", "import sys; print('%d.%d' % sys.version_info[:2])"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return nil }
        WorkerPool.blocking { process.waitUntilExit() }
        guard process.terminationStatus == 0 else { return nil }
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return trimmed.isEmpty ? nil : trimmed
    }
}

/// What `getMetadata {project}` and `lazywheel metadata <name>` answer: the chosen version's core
/// metadata plus what a hover shows around it.
public struct ProjectMetadataDocument: Encodable, Sendable {
    public var metadata: CoreMetadata
    /// The wheel (or sdist) the metadata was read from.
    public var fileUrl: String
    public var filename: String
    /// Every version the index lists (yanked ones only when pinned), newest first.
    public var availableVersions: [String]
    /// The newest final release (else the newest version).
    public var latestVersion: String?
    public var yanked: Bool
    public var yankedReason: String?
    /// Whether a wheel for the target exists for the chosen version.
    public var hasCompatibleWheel: Bool
    /// Where the metadata came from: `cache`, `metadataFile` (PEP 658), … (``MetadataOrigin``).
    public var metadataOrigin: String

    private enum ExtraKeys: String, CodingKey {
        case fileUrl, filename, availableVersions, latestVersion, yanked, yankedReason, hasCompatibleWheel, metadataOrigin
    }

    init(_ result: ProjectLookupResult) {
        metadata = result.metadata.metadata
        fileUrl = redactingCredentials(in: result.fileURL.absoluteString)
        filename = result.file.filename
        availableVersions = result.availableVersions.map(\.description)
        latestVersion = result.latestVersion?.description
        yanked = result.yanked.isYanked
        yankedReason = result.yanked.reason
        hasCompatibleWheel = result.hasCompatibleWheel
        metadataOrigin = result.metadata.origin.rawValue
    }

    /// The metadata object with the lookup's keys added beside its own.
    public func encode(to encoder: any Encoder) throws {
        try metadata.encode(to: encoder)
        var container = encoder.container(keyedBy: ExtraKeys.self)
        try container.encode(fileUrl, forKey: .fileUrl)
        try container.encode(filename, forKey: .filename)
        try container.encode(availableVersions, forKey: .availableVersions)
        try container.encode(latestVersion, forKey: .latestVersion)
        try container.encode(yanked, forKey: .yanked)
        try container.encode(yankedReason, forKey: .yankedReason)
        try container.encode(hasCompatibleWheel, forKey: .hasCompatibleWheel)
        try container.encode(metadataOrigin, forKey: .metadataOrigin)
    }
}

/// The package-index side of the engine: the configured indexes, the on-disk HTTP cache, metadata
/// fetching (PEP 658 files first, else lazy wheel ranges) and hover by name.
public final class ProjectIndex: Sendable {
    public let configuration: IndexConfiguration
    public let client: IndexClient
    let fetcher: MetadataFetcher
    public let lookup: ProjectLookup

    /// - Parameters:
    ///   - options: `--index-url` and friends; the environment and pip/uv configuration fill in the rest.
    ///   - cacheDirectory: where pages and metadata are cached (default `$XDG_CACHE_HOME/lazywheel`).
    public init(
        engine: WheelEngine, options: IndexOptions, environment: ConfigurationEnvironment = .process(),
        cacheDirectory: URL? = nil
    ) throws {
        configuration = try IndexConfiguration.resolve(options: options, environment: environment)
        let cache = cacheDirectory.map { HTTPCache(directory: $0) }
            ?? HTTPCache.defaultDirectoryPath(environment: environment).map { HTTPCache(directoryPath: $0) }
        let transport = HTTPClientTransport(client: engine.client, statistics: engine.statistics)
        client = IndexClient(configuration: configuration, transport: transport, cache: cache)
        fetcher = MetadataFetcher(access: engine.access, transport: transport, cache: cache, configuration: configuration)
        lookup = ProjectLookup(index: client, fetcher: fetcher)
    }

    /// The best version of `project` matching `specifier` with a wheel for `target`, and its metadata.
    public func metadata(
        project: String, specifier: String?, target: LookupTarget, cancellation: CancellationToken? = nil
    ) throws -> ProjectMetadataDocument {
        let specifierSet = try specifier.flatMap { $0.isEmpty ? nil : try SpecifierSet($0) }
        let request = ProjectLookupRequest(
            name: project, specifier: specifierSet, python: target.python, platform: target.platform)
        return ProjectMetadataDocument(try lookup.lookup(request, cancellation: cancellation))
    }
}
