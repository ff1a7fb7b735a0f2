import Foundation
import PackageIndex
import PackagingStandards
import WorkScheduling
@testable import Resolver

/// An in-memory package index: projects, their files and the metadata of each version.
final class FakePackageSource: PackageSource {
    struct Release {
        var version: String
        var requires: [String] = []
        var requiresPython: String?
        var fileRequiresPython: String?
        var yanked = false
        var sdistOnly = false
        var platformWheel: String?
    }

    private let releases: [String: [Release]]
    private let directReferences: [String: (name: String, release: Release)]
    private let fetched = Locked<(pages: Int, metadata: [String])>((0, []))

    init(_ releases: [String: [Release]], directReferences: [String: (name: String, release: Release)] = [:]) {
        self.releases = releases
        self.directReferences = directReferences
    }

    /// Shorthand: `["a": ["1.0": ["b>=1"], "2.0": []]]`.
    convenience init(simple: [String: [String: [String]]]) {
        var releases: [String: [Release]] = [:]
        for (name, versions) in simple {
            releases[name] = versions.map { Release(version: $0.key, requires: $0.value) }
        }
        self.init(releases)
    }

    var metadataFetches: [String] { fetched.withLock { $0.metadata } }

    func files(for project: String, cancellation: CancellationToken?) throws -> [DistributionFile] {
        fetched.withLock { $0.pages += 1 }
        return (releases[project] ?? []).map { release in
            let filename: String
            if release.sdistOnly {
                filename = "\(project)-\(release.version).tar.gz"
            } else {
                filename = "\(project)-\(release.version)-py3-none-\(release.platformWheel ?? "any").whl"
            }
            return DistributionFile(
                filename: filename, url: URL(string: "http://127.0.0.1:1/files/\(filename)")!,
                requiresPython: release.fileRequiresPython,
                yanked: release.yanked ? .yanked(reason: "broken") : .notYanked,
                coreMetadata: .present(hashes: [:]), projectName: project)
        }
    }

    func metadata(for file: DistributionFile, project: String, cancellation: CancellationToken?) throws -> CoreMetadata {
        try cancellation.throwIfCancelled()
        guard let version = file.version,
              let release = releases[project]?.first(where: { (try? Version($0.version)) == version }) else {
            throw URLError(.fileDoesNotExist)
        }
        fetched.withLock { $0.metadata.append("\(project)==\(version)") }
        return Self.metadata(project, release)
    }

    func metadata(forDirectReference url: String, cancellation: CancellationToken?) throws -> CoreMetadata {
        guard let (name, release) = directReferences[url] else { throw URLError(.fileDoesNotExist) }
        return Self.metadata(name, release)
    }

    static func metadata(_ name: String, _ release: Release) -> CoreMetadata {
        var lines = ["Metadata-Version: 2.1", "Name: \(name)", "Version: \(release.version)"]
        if let requiresPython = release.requiresPython { lines.append("Requires-Python: \(requiresPython)") }
        var extras: Set<String> = []
        for requirement in release.requires {
            lines.append("Requires-Dist: \(requirement)")
            if let range = requirement.range(of: "extra == \"") {
                extras.insert(String(requirement[range.upperBound...].prefix { $0 != "\"" }))
            }
        }
        for extra in extras.sorted() { lines.append("Provides-Extra: \(extra)") }
        return CoreMetadata(text: lines.joined(separator: "\n") + "\n\n")
    }
}

/// Resolution helpers for tests.
enum Fixture {
    static func target(_ python: String = "3.12") -> TargetEnvironment {
        // swiftlint:disable:next force_try
        try! TargetEnvironment(pythonVersion: python, platform: TargetPlatform("x86_64-unknown-linux-gnu"))
    }

    static func request(
        _ requirements: [String], constraints: [String] = [], python: String = "3.12",
        prerelease: PrereleasePolicy = .ifNecessaryOrExplicit, wheelsOnly: Bool = false
    ) throws -> ResolutionRequest {
        ResolutionRequest(
            requirements: try requirements.map { try Requirement($0) },
            constraints: try constraints.map { try Requirement($0) },
            target: target(python), prerelease: prerelease, wheelsOnly: wheelsOnly)
    }

    static func pins(_ source: FakePackageSource, _ request: ResolutionRequest) throws -> [String] {
        try PythonResolver().resolve(request, source: source).pins
    }

    /// The explanation of a failed resolution, or nil when it succeeded.
    static func failure(_ source: FakePackageSource, _ request: ResolutionRequest) throws -> ConflictReport? {
        do {
            _ = try PythonResolver().resolve(request, source: source)
            return nil
        } catch ResolutionError.noSolution(let report) {
            return report
        }
    }
}
