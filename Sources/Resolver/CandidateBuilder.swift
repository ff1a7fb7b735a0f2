import PackageIndex
import PackagingStandards
import WorkScheduling

/// What is known about one project's versions.
struct ProjectCandidates: Sendable {
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

/// Turns a project page's files into ``ProjectCandidates`` for one resolution request: yanked
/// files only for exact pins (PEP 592), `Requires-Python`, wheel tags, sdists unless wheels only,
/// the pre-release policy, and the preferred file of each version.
///
/// Immutable, so that the prefetcher's threads build the candidates of the pages they fetch
/// while the solver works (``PreparedCandidates``): a long page has thousands of files.
struct CandidateBuilder: Sendable {
    private let request: ResolutionRequest
    /// Projects a requirement or constraint names a pre-release for (`foo>=2.0b1`).
    private let explicitPrereleases: Set<String>
    /// Versions pinned with `==` or `===` per project: their yanked files stay usable.
    private let exactPins: [String: Set<Version>]

    init(request: ResolutionRequest) throws {
        self.request = request
        let active = try request.activeRequirements()
        var explicit: Set<String> = []
        var pins: [String: Set<Version>] = [:]
        for requirement in active.requirements + active.constraints {
            let name = requirement.canonicalName
            if requirement.specifier.prereleases == true { explicit.insert(name) }
            for specifier in requirement.specifier.specifiers {
                if (specifier.operator == .equal && !specifier.isWildcard) || specifier.operator == .arbitrary,
                   let version = specifier.version {
                    pins[name, default: []].insert(version)
                }
            }
        }
        explicitPrereleases = explicit
        exactPins = pins
    }

    /// The candidates of project `name` (canonical) among the files its page lists.
    func candidates(_ name: String, files: [DistributionFile]) -> ProjectCandidates {
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
        var result = ProjectCandidates()
        var ranks = TagRanks()
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
            let compatible = ranks.priority(of: wheel, among: tags) != nil
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
                result.files[version] = usableFiles.count == 1 ? usableFiles : usableFiles.sorted { preference($0, &ranks) < preference($1, &ranks) }
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

    /// Wheels with PEP 658 metadata first, then other wheels (best tag first), then sdists.
    private func preference(_ file: DistributionFile, _ ranks: inout TagRanks) -> Int {
        switch file.kind {
        case .wheel(let wheel):
            let tagRank = request.target.tags.flatMap { ranks.priority(of: wheel, among: $0) } ?? 0
            return (file.coreMetadata.isPresent ? 0 : 1_000_000) + tagRank
        case .sdist: return 10_000_000
        case .other: return 20_000_000
        }
    }
}

/// The target's priority per wheel tag set (nil: incompatible), computed once per distinct tag
/// set: a page has thousands of wheels and a handful of tag sets.
private struct TagRanks {
    private var byKey: [WheelFilename.TagSetKey: Int?] = [:]
    /// The same by tag text, for tag sets not shared (past the parsing memo's room).
    private var byText: [String: Int?] = [:]

    mutating func priority(of wheel: WheelFilename, among tags: CompatibleTags) -> Int? {
        let key = wheel.tagSetKey
        if let known = byKey[key] { return known }
        let priority = byText[wheel.tagSetText] ?? tags.priority(of: wheel)
        byText[wheel.tagSetText] = priority
        byKey[key] = priority
        return priority
    }
}

/// Candidates built from the pages the prefetcher fetched, on its threads, waiting for the solver
/// to ask: ``hook`` is the prefetcher's ``MetadataPrefetcher/init(source:pool:cancellation:dependencyNames:likelyChoice:pageArrived:)``
/// `pageArrived`, and the provider takes each project's candidates once.
final class PreparedCandidates: Sendable {
    let builder: CandidateBuilder
    private let built = Locked<[String: ProjectCandidates]>([:])

    init(builder: CandidateBuilder) {
        self.builder = builder
    }

    /// Builds and keeps the candidates of `project`'s `files`.
    func prepare(_ project: String, files: [DistributionFile]) {
        let candidates = builder.candidates(project, files: files)
        built.withLock { $0[project] = candidates }
    }

    /// The candidates prepared for `project`, handed over once.
    func take(_ project: String) -> ProjectCandidates? {
        built.withLock { $0.removeValue(forKey: project) }
    }
}
