import Foundation
import PackagingStandards
import WorkScheduling

/// What to look up: a project by name, optionally constrained, for a target interpreter.
public struct ProjectLookupRequest: Sendable {
    /// The project name, any spelling.
    public var name: String
    /// A version constraint (PEP 440), e.g. from the requirement under the cursor.
    public var specifier: SpecifierSet?
    /// The target CPython version, `"3.12"`.
    public var python: String
    /// The target platform.
    public var platform: TargetPlatform

    public init(name: String, specifier: SpecifierSet? = nil, python: String, platform: TargetPlatform) {
        self.name = name
        self.specifier = specifier
        self.python = python
        self.platform = platform
    }
}

/// The answer to a hover on a project name: the chosen version's metadata and what else exists.
public struct ProjectLookupResult: Sendable {
    /// The chosen file's core metadata.
    public var metadata: FetchedMetadata
    /// The chosen version.
    public var version: Version
    /// The file the metadata was read from.
    public var file: DistributionFile
    /// Every version the index lists (yanked ones only when pinned with `==`), newest first.
    public var availableVersions: [Version]
    /// Whether the chosen file is yanked (only possible when pinned).
    public var yanked: YankState
    /// The newest final release (or newest version when there is none), ignoring the specifier.
    public var latestVersion: Version?
    /// Whether the chosen version has a wheel installable on the target; when false the metadata
    /// comes from an sdist or a wheel for another platform.
    public var hasCompatibleWheel: Bool

    /// The file's URL.
    public var fileURL: URL { file.url }
}

/// Why a lookup found nothing to show.
public enum ProjectLookupError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The project exists but no version satisfies the request.
    case noMatchingVersion(name: String, specifier: String, python: String, available: [String])

    public var description: String {
        switch self {
        case .noMatchingVersion(let name, let specifier, let python, let available):
            "no version of \(name)\(specifier.isEmpty ? "" : " matching \(specifier)") supports Python \(python)"
                + (available.isEmpty ? "" : "; the index has \(available.prefix(8).joined(separator: ", "))\(available.count > 8 ? ", …" : "")")
        }
    }
}

/// Answers "what is this project?" for a hover: fetches the project page, picks the newest version
/// that satisfies the specifier and has a wheel for the target (PEP 425 tag priority through
/// ``CompatibleTags``), skipping yanked files unless pinned with `==` (PEP 592) and files whose
/// `Requires-Python` excludes the target, and fetches that file's metadata.
public struct ProjectLookup: Sendable {
    public let index: IndexClient
    public let fetcher: MetadataFetcher

    public init(index: IndexClient, fetcher: MetadataFetcher) {
        self.index = index
        self.fetcher = fetcher
    }

    public func lookup(_ request: ProjectLookupRequest, cancellation: CancellationToken? = nil) throws -> ProjectLookupResult {
        let page = try index.projectPage(request.name, cancellation: cancellation)
        let tags = try CompatibleTags(python: request.python, platform: request.platform)
        let pythonVersion = try? Version(request.python)
        let pinned = Self.isPinned(request.specifier)

        var filesByVersion: [Version: [DistributionFile]] = [:]
        for file in page.files {
            guard let version = file.version, file.kind != .other else { continue }
            filesByVersion[version, default: []].append(file)
        }
        func usable(_ file: DistributionFile) -> Bool {
            if file.yanked.isYanked && !pinned { return false }
            if let pythonVersion, let requires = file.requiresPythonSpecifiers, !requires.contains(pythonVersion, prereleases: true) {
                return false
            }
            return true
        }
        let listed = filesByVersion.filter { _, files in files.contains { pinned || !$0.yanked.isYanked } }
        let availableVersions = listed.keys.sorted(by: >)
        let latestVersion = availableVersions.first(where: { !$0.isPrerelease }) ?? availableVersions.first

        let candidates = (request.specifier ?? SpecifierSet([])).filter(availableVersions)
            .filter { version in filesByVersion[version, default: []].contains(where: usable) }
        guard !candidates.isEmpty else {
            throw ProjectLookupError.noMatchingVersion(
                name: request.name, specifier: request.specifier?.description ?? "", python: request.python,
                available: availableVersions.map(\.description))
        }

        // Newest candidate with a compatible wheel.
        for version in candidates {
            let wheels = filesByVersion[version, default: []].filter(usable).compactMap { file in file.kind.wheel.map { (file, $0) } }
            guard let best = tags.bestWheel(among: wheels.map(\.1)), let file = wheels.first(where: { $0.1 == best })?.0 else { continue }
            let metadata = try fetcher.metadata(for: file, cancellation: cancellation)
            return ProjectLookupResult(
                metadata: metadata, version: version, file: file, availableVersions: availableVersions,
                yanked: file.yanked, latestVersion: latestVersion, hasCompatibleWheel: true)
        }

        // No compatible wheel anywhere: describe the newest candidate from its sdist, else any wheel.
        let version = candidates[0]
        let files = filesByVersion[version, default: []].filter(usable)
        let ordered = files.filter { $0.kind.isSdist } + files.filter { $0.kind.wheel != nil }
        var lastError: (any Error)?
        for file in ordered {
            do {
                let metadata = try fetcher.metadata(for: file, cancellation: cancellation)
                return ProjectLookupResult(
                    metadata: metadata, version: version, file: file, availableVersions: availableVersions,
                    yanked: file.yanked, latestVersion: latestVersion, hasCompatibleWheel: false)
            } catch let error as SdistMetadataError {
                lastError = error
            }
        }
        throw lastError ?? MetadataFetchError.unsupportedFile(filename: files.first?.filename ?? request.name)
    }

    /// Whether the specifier pins one version with `==` (no wildcard), which lets yanked files count.
    static func isPinned(_ specifier: SpecifierSet?) -> Bool {
        guard let specifier else { return false }
        let clauses = specifier.description.split(separator: ",")
        return clauses.count == 1 && (clauses[0].hasPrefix("==") && !clauses[0].hasPrefix("===") && !clauses[0].hasSuffix(".*") || clauses[0].hasPrefix("==="))
    }
}
