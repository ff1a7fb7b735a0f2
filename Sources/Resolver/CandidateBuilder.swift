import PackageIndex
import PackagingStandards
import WorkScheduling

/// What is known about one project's versions.
struct ProjectCandidates: Sendable {
    /// Every version listed, ascending (usable or not).
    var known: [Version] = []
    /// Usable versions, newest first.
    var ordered: [Version] = []
    /// The direct reference the project comes from, if any.
    var url: String?
    /// The usable versions, ascending, each with its run of ``usableFiles``: one flat array for
    /// the whole page, as a long page has thousands of versions and an array (and a dictionary
    /// entry) per version cost more than reading the page.
    fileprivate var fileRuns: [(version: Version, files: Range<Int>)] = []
    /// Usable files, grouped by version, preferred file first.
    fileprivate var usableFiles: [DistributionFile] = []
    /// Why each listed version that is not usable is not, kept as a code until asked for.
    fileprivate var exclusions: [Version: Exclusion] = [:]

    init() {}

    /// The usable files of `version`, preferred file first; nil when it is not usable.
    func files(of version: Version) -> ArraySlice<DistributionFile>? {
        let index = fileRuns.partitioningIndex(where: { $0.version >= version })
        guard index < fileRuns.endIndex, fileRuns[index].version == version else { return nil }
        return usableFiles[fileRuns[index].files]
    }

    /// Why the listed `version` cannot be used; nil when it can (or is not listed).
    func exclusionReason(of version: Version) -> String? {
        exclusions[version]?.description
    }
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
        result.usableFiles.reserveCapacity(ordered.count)
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
            // The reason a version is excluded for is the most telling one among its files'.
            var exclusion: Exclusion?
            func exclude(_ reason: Exclusion) {
                if exclusion.map({ reason.rank < $0.rank }) ?? true { exclusion = reason }
            }
            let firstFile = result.usableFiles.endIndex
            for position in ordered[start..<end] {
                let file = files[position]
                if file.yanked.isYanked && !pinned.contains(version) {
                    exclude(.yanked(file.yanked.reason))
                    continue
                }
                if let requires = pythonExclusion(file) {
                    exclude(.requiresPython(requires, target: request.target.pythonVersion))
                    continue
                }
                switch file.kind {
                case .wheel(let wheel):
                    if let tags = request.target.tags, !isCompatible(wheel, tags) {
                        exclude(.platform)
                        continue
                    }
                case .sdist:
                    if request.wheelsOnly {
                        exclude(.sourceOnly)
                        continue
                    }
                case .other:
                    continue
                }
                result.usableFiles.append(file)
            }
            let run = firstFile..<result.usableFiles.endIndex
            if run.isEmpty {
                result.exclusions[version] = exclusion ?? .noUsableFile
                continue
            }
            if run.count > 1 {
                result.usableFiles[run].sort { preference($0, &ranks) < preference($1, &ranks) }
            }
            result.fileRuns.append((version, run))
        }
        if !prereleasesAllowed(name, versions: result.fileRuns.lazy.map(\.version)) {
            let rule = prereleaseRule
            for run in result.fileRuns where run.version.isPrerelease {
                result.exclusions[run.version] = .prerelease(rule: rule)
            }
            result.fileRuns.removeAll { $0.version.isPrerelease }
        }
        result.ordered = result.fileRuns.reversed().map(\.version)
        return result
    }

    private func prereleasesAllowed(_ name: String, versions: some Collection<Version>) -> Bool {
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

/// Why a listed version cannot be used, the most telling reason first (``rank``); its text is
/// made only when an explanation asks for it.
enum Exclusion: Sendable, CustomStringConvertible {
    case requiresPython(SpecifierSet, target: String)
    case yanked(String?)
    case platform
    case sourceOnly
    case noUsableFile
    case prerelease(rule: String)

    /// Lower is more telling: a version whose files are excluded for several reasons is
    /// explained by its lowest.
    var rank: Int {
        switch self {
        case .requiresPython: return 0
        case .yanked: return 1
        case .platform: return 2
        case .sourceOnly: return 3
        case .noUsableFile, .prerelease: return 4
        }
    }

    var description: String {
        switch self {
        case .requiresPython(let requires, let target): return "it requires Python \(requires), the target is \(target)"
        case .yanked(let reason): return "it was yanked" + (reason.map { " (\($0))" } ?? "")
        case .platform: return "it has no wheel for the target platform"
        case .sourceOnly: return "it has only a source distribution and only wheels are allowed"
        case .noUsableFile: return "it has no usable file"
        case .prerelease(let rule): return "it is a pre-release; pre-releases are used only when \(rule)"
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
