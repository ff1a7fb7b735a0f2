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

    /// What is known about one project's versions.
    struct Candidates {
        /// Every version listed, ascending (usable or not).
        var known: [Version] = []
        /// Usable versions, newest first.
        var ordered: [Version] = []
        /// Usable files per version, preferred file first.
        var files: [Version: [DistributionFile]] = [:]
        /// Why a listed version can not be used.
        var excluded: [Version: String] = [:]
        /// The direct reference the project comes from, if any.
        var url: String?
    }

    private let request: ResolutionRequest
    private let source: MetadataPrefetcher
    private let requirementMemo: RequirementMemo
    private let cancellation: CancellationToken?
    private let rootRequirements: [Requirement]
    private let constraints: [String: SpecifierSet]
    private let constraintText: [String: String]
    private let directReferences: [String: String]
    private let explicitPrereleases: Set<String>
    private let exactPins: [String: Set<Version>]
    private var candidates: [String: Candidates] = [:]
    private var directMetadata: [String: CoreMetadata] = [:]
    /// The target's priority per wheel tag set text (nil: incompatible), see ``tagPriority(of:among:)``.
    private var tagPriorities: [WheelFilename.TagSetKey: Int?] = [:]
    /// The same by tag text, for tag sets not shared (past the parsing memo's room).
    private var tagPrioritiesByText: [String: Int?] = [:]
    /// The version last passed to the prefetcher per project (``prefetch(_:)``).
    private var hinted: [String: Version] = [:]
    /// Dependencies reported per node and version, for the output's `requires`.
    private(set) var reported: [PythonPackage: [Version: [Dependency<PythonPackage, VS>]]] = [:]

    init(
        request: ResolutionRequest, source: MetadataPrefetcher, requirements: RequirementMemo = RequirementMemo(),
        cancellation: CancellationToken?
    ) throws {
        self.request = request
        self.source = source
        self.requirementMemo = requirements
        self.cancellation = cancellation
        let environment = request.target.markerEnvironment
        func applies(_ requirement: Requirement) throws -> Bool {
            do { return try requirement.applies(in: environment) } catch {
                throw ResolutionError.markerEvaluation(requirement: requirement.description, reason: "\(error)")
            }
        }
        rootRequirements = try request.requirements.filter(applies)
        var constraints: [String: SpecifierSet] = [:]
        var constraintText: [String: String] = [:]
        var explicit: Set<String> = []
        var pins: [String: Set<Version>] = [:]
        var urls: [String: String] = [:]
        let activeConstraints = try request.constraints.filter(applies)
        for requirement in activeConstraints {
            let name = requirement.canonicalName
            constraints[name] = constraints[name].map { $0 & requirement.specifier } ?? requirement.specifier
            constraintText[name] = constraints[name]!.description
        }
        for requirement in rootRequirements + activeConstraints {
            let name = requirement.canonicalName
            if requirement.specifier.prereleases == true { explicit.insert(name) }
            for specifier in requirement.specifier.specifiers {
                if (specifier.operator == .equal && !specifier.isWildcard) || specifier.operator == .arbitrary,
                   let version = specifier.version {
                    pins[name, default: []].insert(version)
                }
            }
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
        self.explicitPrereleases = explicit
        self.exactPins = pins
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
                  let file = candidates[name]?.files[hint.version]?.first else { continue }
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
        return candidates[name]?.files[version]?.first.map { redactingCredentials(in: $0.urlText) }
    }

    // MARK: candidates

    func projectCandidates(_ name: String) throws -> Candidates {
        if let cached = candidates[name] { return cached }
        let built: Candidates
        if let url = directReferences[name] {
            built = try directCandidates(name, url)
        } else {
            built = try indexCandidates(name, files: source.files(for: name, cancellation: cancellation))
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

    private func indexCandidates(_ name: String, files: [DistributionFile]) throws -> Candidates {
        // The positions of the files that carry a version, ordered by version and then by page
        // order, walked below as runs of one version each. Pages list versions in order or nearly
        // so: an ordered list is recognized in one pass and not sorted. A long page has thousands
        // of files, and grouping them in a dictionary of arrays cost more than reading them.
        let versions = files.map(\.version)
        var ordered = versions.indices.filter { versions[$0] != nil }
        if !zip(ordered, ordered.dropFirst()).allSatisfy({ versions[$0]! <= versions[$1]! }) {
            ordered.sort { a, b in
                let (x, y) = (versions[a]!, versions[b]!)
                return x < y || (a < b && x == y)
            }
        }
        var result = Candidates()
        result.files.reserveCapacity(ordered.count)
        var usableVersions: [Version] = []
        let python = request.target.pythonFullVersion
        let pinned = exactPins[name] ?? []
        // The `requires-python` texts that exclude the target, with their specifiers: a page
        // repeats a few texts over all its files, and files next to each other usually share
        // theirs, so the last text is tried before hashing; the same for tag sets.
        var excludingPython: [String: SpecifierSet?] = [:]
        var lastPython: (text: String, verdict: SpecifierSet?)?
        func pythonExclusion(_ file: DistributionFile) -> SpecifierSet? {
            guard let python, let text = file.requiresPython else { return nil }
            if let lastPython, lastPython.text == text { return lastPython.verdict }
            let verdict: SpecifierSet?
            if let known = excludingPython[text] {
                verdict = known
            } else {
                verdict = file.requiresPythonSpecifiers.flatMap { $0.contains(python, prereleases: true) ? nil : $0 }
                excludingPython[text] = verdict
            }
            lastPython = (text, verdict)
            return verdict
        }
        var lastTags: (key: WheelFilename.TagSetKey, compatible: Bool)?
        func isCompatible(_ wheel: WheelFilename, _ tags: CompatibleTags) -> Bool {
            let key = wheel.tagSetKey
            if let lastTags, lastTags.key == key { return lastTags.compatible }
            let compatible = tagPriority(of: wheel, among: tags) != nil
            lastTags = (key, compatible)
            return compatible
        }
        var start = ordered.startIndex
        while start < ordered.endIndex {
            let version = versions[ordered[start]]!
            var end = start + 1
            while end < ordered.endIndex, versions[ordered[end]]! == version { end += 1 }
            defer { start = end }
            result.known.append(version)
            var reasons: [String] = []
            var usableFiles: [DistributionFile] = []
            for position in ordered[start..<end] {
                let file = files[position]
                if file.yanked.isYanked && !pinned.contains(version) {
                    reasons.append("it was yanked" + (file.yanked.reason.map { " (\($0))" } ?? ""))
                    continue
                }
                if let requires = pythonExclusion(file) {
                    reasons.append("it requires Python \(requires), the target is \(request.target.pythonVersion)")
                    continue
                }
                switch file.kind {
                case .wheel(let wheel):
                    if let tags = request.target.tags, !isCompatible(wheel, tags) {
                        reasons.append("it has no wheel for the target platform")
                        continue
                    }
                case .sdist:
                    if request.wheelsOnly {
                        reasons.append("it has only a source distribution and only wheels are allowed")
                        continue
                    }
                case .other:
                    continue
                }
                usableFiles.append(file)
            }
            if usableFiles.isEmpty {
                let preference = ["requires Python", "yanked", "platform", "source distribution"]
                result.excluded[version] = preference.lazy.compactMap { key in reasons.first { $0.contains(key) } }.first
                    ?? reasons.first ?? "it has no usable file"
            } else {
                result.files[version] = usableFiles.count == 1 ? usableFiles : usableFiles.sorted { filePreference($0) < filePreference($1) }
                usableVersions.append(version)
            }
        }
        usableVersions.reverse()
        if !prereleasesAllowed(name, versions: usableVersions) {
            for version in usableVersions where version.isPrerelease {
                result.excluded[version] = "it is a pre-release; pre-releases are used only when \(prereleaseRule)"
                result.files[version] = nil
            }
            usableVersions.removeAll { $0.isPrerelease }
        }
        result.ordered = usableVersions
        return result
    }

    private func prereleasesAllowed(_ name: String, versions: [Version]) -> Bool {
        let onlyPrereleases = !versions.isEmpty && versions.allSatisfy(\.isPrerelease)
        let explicit = explicitPrereleases.contains(name)
        switch request.prerelease {
        case .allow: return true
        case .disallow: return false
        case .ifNecessary: return onlyPrereleases
        case .explicit: return explicit
        case .ifNecessaryOrExplicit: return onlyPrereleases || explicit
        }
    }

    private var prereleaseRule: String {
        switch request.prerelease {
        case .allow: return "allowed"
        case .disallow: return "allowed (--prerelease allow)"
        case .ifNecessary: return "a project has no final release (or with --prerelease allow)"
        case .explicit: return "a requirement names one (foo>=2.0b1) or with --prerelease allow"
        case .ifNecessaryOrExplicit:
            return "a requirement names one (foo>=2.0b1), a project has no final release, or with --prerelease allow"
        }
    }

    /// `tags.priority(of: wheel)`, once per distinct tag set: a page has thousands of wheels and a
    /// handful of tag sets.
    private func tagPriority(of wheel: WheelFilename, among tags: CompatibleTags) -> Int? {
        let key = wheel.tagSetKey
        if let known = tagPriorities[key] { return known }
        let priority = tagPrioritiesByText[wheel.tagSetText] ?? tags.priority(of: wheel)
        tagPrioritiesByText[wheel.tagSetText] = priority
        tagPriorities[key] = priority
        return priority
    }

    /// Wheels with PEP 658 metadata first, then other wheels (best tag first), then sdists.
    private func filePreference(_ file: DistributionFile) -> Int {
        switch file.kind {
        case .wheel(let wheel):
            let tagRank = request.target.tags.flatMap { tagPriority(of: wheel, among: $0) } ?? 0
            return (file.coreMetadata.isPresent ? 0 : 1_000_000) + tagRank
        case .sdist: return 10_000_000
        case .other: return 20_000_000
        }
    }

    // MARK: dependencies

    private func projectDependencies(_ name: String, _ version: Version, extra: String?) throws -> Dependencies<PythonPackage, VS> {
        let metadata: CoreMetadata
        if let direct = directMetadata[name] {
            metadata = direct
        } else {
            guard let files = try projectCandidates(name).files[version], !files.isEmpty else {
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
           let requires = try? metadata.requiresPythonSpecifier(), !requires.contains(python, prereleases: true) {
            return .unavailable(reason: "it requires Python \(requires), the target is \(request.target.pythonVersion)")
        }
        let environment = request.target.markerEnvironment
        var result: [Dependency<PythonPackage, VS>] = []
        if extra != nil {
            result.append(Dependency(package: .project(name), versions: .singleton(version), label: "\(name)==\(version)"))
        }
        for requirement in requirementMemo.requirements(of: metadata) {
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
        var intervals: [VersionInterval<Version>] = []
        var run: (first: Version, last: Version)?
        for version in known {
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
