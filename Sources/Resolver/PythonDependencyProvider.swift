import Foundation
import PackageIndex
import PackagingStandards
import WorkScheduling

/// The Python semantics on top of the generic solver: candidates from index files (yanked files
/// only for exact pins, PEP 592; `Requires-Python`; wheel tags; sdists unless wheels only; the
/// pre-release policy), dependencies from core metadata with PEP 508 markers evaluated against
/// the target (with `extra`), extras as separate nodes, constraints and direct references.
///
/// Version sets are built over the versions a project lists: a specifier becomes the runs of
/// listed versions it admits (each run a closed interval from its first to its last version, so
/// `==v` is exactly the singleton `v`), so every PEP 440 subtlety (`~=`, `==1.*`, local versions, `===`)
/// is decided by ``SpecifierSet/contains(_:prereleases:)`` itself.
final class PythonDependencyProvider: DependencyProvider {
    typealias Package = PythonPackage
    typealias VS = VersionRanges<Version>

    typealias Candidates = ProjectCandidates

    private let request: ResolutionRequest
    private let source: MetadataPrefetcher
    private let requirementMemo: RequirementMemo
    private let cancellation: CancellationToken?
    private let rootRequirements: [Requirement]
    private let constraints: [String: SpecifierSet]
    private let constraintText: [String: String]
    private let directReferences: [String: String]
    /// Builds the candidates of pages the prefetcher has not prepared already.
    private let prepared: PreparedCandidates
    private var candidates: [String: Candidates] = [:]
    private var directMetadata: [String: CoreMetadata] = [:]
    /// The version last passed to the prefetcher per project (``prefetch(_:)``).
    private var hinted: [String: Version] = [:]
    /// Dependencies reported per node and version, for the output's `requires`.
    private(set) var reported: [PythonPackage: [Version: [Dependency<PythonPackage, VS>]]] = [:]

    /// - Parameter prepared: where the prefetcher leaves the candidates it built from the pages
    ///   it fetched (``PreparedCandidates/hook``); made for `request`.
    init(
        request: ResolutionRequest, source: MetadataPrefetcher, prepared: PreparedCandidates,
        requirements: RequirementMemo = RequirementMemo(), cancellation: CancellationToken?
    ) throws {
        self.request = request
        self.source = source
        self.prepared = prepared
        self.requirementMemo = requirements
        self.cancellation = cancellation
        let active = try request.activeRequirements()
        rootRequirements = active.requirements
        var constraints: [String: SpecifierSet] = [:]
        var constraintText: [String: String] = [:]
        var urls: [String: String] = [:]
        for requirement in active.constraints {
            let name = requirement.canonicalName
            constraints[name] = constraints[name].map { $0 & requirement.specifier } ?? requirement.specifier
            constraintText[name] = constraints[name]!.description
        }
        for requirement in rootRequirements {
            guard let url = requirement.url else { continue }
            let name = requirement.canonicalName
            if let existing = urls[name], existing != url {
                throw ResolutionError.conflictingURLs(project: name, first: existing, second: url)
            }
            urls[name] = url
        }
        self.constraints = constraints
        self.constraintText = constraintText
        self.directReferences = urls
    }

    // MARK: DependencyProvider

    func availableVersions(for package: PythonPackage) throws -> [Version] {
        guard let name = package.name else { return [] }
        return try projectCandidates(name).ordered
    }

    func dependencies(of package: PythonPackage, version: Version) throws -> Dependencies<PythonPackage, VS> {
        let result: Dependencies<PythonPackage, VS>
        switch package {
        case .root:
            result = .available(try rootRequirements.flatMap { try edges(for: $0) })
        case .project(let name):
            result = try projectDependencies(name, version, extra: nil)
        case .extra(let name, let extra):
            result = try projectDependencies(name, version, extra: extra)
        }
        if case .available(let list) = result { reported[package, default: [:]][version] = list }
        return result
    }

    func prefetch(_ hints: [(package: PythonPackage, version: Version)]) {
        for hint in hints {
            // The solver repeats its hints at every decision; each version is passed on once.
            guard let name = hint.package.name, hinted[name] != hint.version,
                  let file = candidates[name]?.files(of: hint.version)?.first else { continue }
            hinted[name] = hint.version
            source.prefetchMetadata(file, project: name)
        }
    }

    /// The direct reference of `name`, when the user gave one.
    func url(of name: String) -> String? { directReferences[name] }

    /// The file the resolution would install for `name` at `version`: the direct reference, else
    /// the preferred file of that version (without credentials).
    func fileURL(of name: String, version: Version) -> String? {
        if let direct = directReferences[name] { return direct }
        return candidates[name]?.files(of: version)?.first.map { redactingCredentials(in: $0.urlText) }
    }

    // MARK: candidates

    func projectCandidates(_ name: String) throws -> Candidates {
        if let cached = candidates[name] { return cached }
        let built: Candidates
        if let url = directReferences[name] {
            built = try directCandidates(name, url)
        } else {
            let files = try source.files(for: name, cancellation: cancellation)
            built = prepared.take(name) ?? prepared.builder.candidates(name, files: files)
        }
        candidates[name] = built
        return built
    }

    private func directCandidates(_ name: String, _ url: String) throws -> Candidates {
        let metadata = try source.metadata(forDirectReference: url, cancellation: cancellation)
        var result = Candidates()
        result.url = url
        guard let version = metadata.parsedVersion else { return result }
        directMetadata[name] = metadata
        result.known = [version]
        result.ordered = [version]
        return result
    }

    // MARK: dependencies

    private func projectDependencies(_ name: String, _ version: Version, extra: String?) throws -> Dependencies<PythonPackage, VS> {
        let metadata: CoreMetadata
        if let direct = directMetadata[name] {
            metadata = direct
        } else {
            guard let files = try projectCandidates(name).files(of: version), !files.isEmpty else {
                return .unavailable(reason: "it has no usable file")
            }
            var failure: String?
            var found: CoreMetadata?
            for file in files {
                do {
                    found = try source.metadata(for: file, project: name, cancellation: cancellation)
                    break
                } catch let error as OperationCancelled {
                    throw error
                } catch {
                    failure = failure ?? "its metadata could not be read from \(file.filename): \(error)"
                }
            }
            guard let found else { return .unavailable(reason: failure ?? "its metadata could not be read") }
            metadata = found
        }
        if let python = request.target.pythonFullVersion,
           let requires = try? metadata.requiresPythonSpecifier(),
           !requires.requiresPythonLowerBound.contains(python, prereleases: true) {
            return .unavailable(reason: "it requires Python \(requires), the target is \(request.target.pythonVersion)")
        }
        let environment = request.target.markerEnvironment
        var result: [Dependency<PythonPackage, VS>] = []
        if extra != nil {
            result.append(Dependency(package: .project(name), versions: .singleton(version), label: "\(name)==\(version)"))
        }
        for requirement in requirementMemo.requirements(of: metadata, forExtra: extra) {
            let inBase = (try? requirement.applies(in: environment)) ?? false
            if let extra {
                let inExtra = (try? requirement.applies(in: environment, extras: [extra])) ?? false
                guard inExtra && !inBase else { continue }
            } else if !inBase {
                continue
            }
            if requirement.canonicalName == name && extra == nil && requirement.extras.isEmpty { continue }
            result += try edges(for: requirement)
        }
        return .available(result)
    }

    /// The solver edges for one requirement: the project, and one node per requested extra.
    private func edges(for requirement: Requirement) throws -> [Dependency<PythonPackage, VS>] {
        let name = requirement.canonicalName
        let set = try versionSet(name, requirement.specifier, url: requirement.url)
        var label = name + requirement.specifier.description
        if requirement.url != nil && directReferences[name] != nil { label = "\(name) @ \(requirement.url!)" }
        if let constraint = constraintText[name], !constraint.isEmpty {
            label += label == name ? " (constrained to \(name)\(constraint))" : " (with the constraint \(name)\(constraint))"
        }
        var result = [Dependency<PythonPackage, VS>(package: .project(name), versions: set, label: label)]
        for extra in requirement.normalizedExtras.sorted() {
            let extraLabel = "\(name)[\(extra)]" + requirement.specifier.description
            result.append(Dependency(package: .extra(name, extra), versions: set, label: extraLabel))
        }
        return result
    }

    /// The listed versions of `name` the specifier (and any constraint) admits, as runs.
    func versionSet(_ name: String, _ specifier: SpecifierSet, url: String? = nil) throws -> VS {
        let candidates = try projectCandidates(name)
        if candidates.url != nil { return .full }
        let known = candidates.known
        guard !known.isEmpty else { return .full }
        let constraint = constraints[name]
        // Only the listed versions within both sets' bounds can be admitted: found by binary
        // search, as a long page lists hundreds of versions and testing each costs.
        let (lower, upper) = (constraint.map { specifier & $0 } ?? specifier).admittedBounds
        let first = lower.map { bound in known.partitioningIndex(where: { $0 >= bound }) } ?? known.startIndex
        let end = upper.map { bound in known[first...].partitioningIndex(where: { $0 >= bound }) } ?? known.endIndex
        var intervals: [VersionInterval<Version>] = []
        var run: (first: Version, last: Version)?
        for version in known[first..<max(first, end)] {
            let admitted = specifier.contains(version, prereleases: true)
                && (constraint?.contains(version, prereleases: true) ?? true)
            if admitted {
                run = (run?.first ?? version, version)
            } else if let (first, last) = run {
                intervals.append(VersionInterval(lower: .included(first), upper: .included(last)))
                run = nil
            }
        }
        if let (first, last) = run { intervals.append(VersionInterval(lower: .included(first), upper: .included(last))) }
        return VersionRanges(intervals)
    }
}
