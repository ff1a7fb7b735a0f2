import PackageIndex
import PackagingStandards
import WorkScheduling

/// What is known about one project's versions.
struct ProjectCandidates: Sendable {
    /// Every version listed, ascending (usable or not).
    var known: [Version] = []
    /// Usable versions, most preferred first: newest first, and when ``prereleasesAsFallback``,
    /// every final release before the pre-releases.
    var ordered: [Version] = []
    /// The pre-releases come after every final release: one is chosen only where no final
    /// release satisfies every requirement on the project read so far, as packaging's
    /// `SpecifierSet.filter` over the merged specifiers does for pip (and uv 0.13 does).
    var prereleasesAsFallback = false
    /// The direct reference the project comes from, if any.
    var url: String?
    /// The usable versions, ascending, each with its run of ``usableFiles``: one flat array for
    /// the whole page, as a long page has thousands of versions and an array (and a dictionary
    /// entry) per version would cost more than reading the page.
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
        // of files, and grouping them in a dictionary of arrays would cost more than reading them.
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
        var screen = FileScreen(request: request, project: name)
        let sdistRequired = request.binaryFormats.requiresSdist(name)
        result.usableFiles.reserveCapacity(ordered.count)
        let pinned = exactPins[name] ?? []
        var start = ordered.startIndex
        while start < ordered.endIndex {
            let version = versions[ordered[start]]!
            var end = start + 1
            while end < ordered.endIndex, versions[ordered[end]]! == version { end += 1 }
            defer { start = end }
            result.known.append(version)
            let yankedUsable = !pinned.isEmpty && pinned.contains(version)
            // The most telling reason among the files' (the lowest ``Screening/rank``), the first
            // file's of that rank.
            var exclusion: (rank: Int, file: Int, screening: Screening)?
            let firstFile = result.usableFiles.endIndex
            for position in ordered[start..<end] {
                let screening = screen.screen(files[position], yankedUsable: yankedUsable, ranks: &ranks)
                guard let rank = screening.rank else {
                    if case .usable = screening { result.usableFiles.append(files[position]) }
                    continue
                }
                if exclusion.map({ rank < $0.rank }) ?? true { exclusion = (rank, position, screening) }
            }
            let run = firstFile..<result.usableFiles.endIndex
            if sdistRequired, !run.isEmpty, !result.usableFiles[run].contains(where: { $0.kind.isSdist }) {
                result.usableFiles.removeSubrange(run)
                result.exclusions[version] = .noSourceDistribution
                continue
            }
            if run.isEmpty {
                result.exclusions[version] = exclusion.map { screen.exclusion($0.screening, of: files[$0.file]) } ?? .noUsableFile
                continue
            }
            if run.count > 1 {
                result.usableFiles[run].sort { preference($0, &ranks) < preference($1, &ranks) }
            }
            result.fileRuns.append((version, run))
        }
        result.ordered = result.fileRuns.reversed().map(\.version)
        if !prereleasesAllowed(name, versions: result.fileRuns.lazy.map(\.version)) {
            if request.prerelease == .ifNecessary || request.prerelease == .ifNecessaryOrExplicit {
                // Kept, after every final release: the requirements' version sets decide.
                result.prereleasesAsFallback = true
                result.ordered = result.ordered.filter { !$0.isPrerelease } + result.ordered.filter(\.isPrerelease)
            } else {
                let rule = prereleaseRule
                for run in result.fileRuns where run.version.isPrerelease {
                    result.exclusions[run.version] = .prerelease(rule: rule)
                }
                result.fileRuns.removeAll { $0.version.isPrerelease }
                result.ordered.removeAll { $0.isPrerelease }
            }
        }
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

/// What ``FileScreen`` found of one file: no payload to copy, as a long page has thousands of
/// files and most share their verdict.
private enum Screening {
    case usable
    /// Not a distribution (nothing to say about it).
    case ignored
    case yanked
    /// Its `Requires-Python` excludes the target: the set is ``FileScreen/excludingSets``'s at this index.
    case requiresPython(Int)
    case platform
    case sourceOnly

    /// The rank of the ``Exclusion`` this makes; nil for files that exclude nothing.
    var rank: Int? {
        switch self {
        case .usable, .ignored: return nil
        case .requiresPython: return 0
        case .yanked: return 1
        case .platform: return 2
        case .sourceOnly: return 3
        }
    }
}

/// Decides for each file of a page whether the request can use it (yanked, `Requires-Python`,
/// wheel tags, sdists), remembering the last `requires-python` text and tag set it judged: a
/// page repeats a few of each over all its files, and neighbours usually share theirs.
private struct FileScreen {
    private let python: Version?
    private let tags: CompatibleTags?
    private let wheelsOnly: Bool
    private let targetPython: String
    /// The `Requires-Python` sets that exclude the target.
    private var excludingSets: [SpecifierSet] = []
    /// Per `requires-python` text judged, the index of its set in `excludingSets` when it excludes.
    private var verdicts: [String: Int?] = [:]
    private var lastPython: (text: String, verdict: Int?)?
    private var lastTags: (key: WheelFilename.TagSetKey, compatible: Bool)?

    init(request: ResolutionRequest, project: String) {
        python = request.target.pythonFullVersion
        tags = request.target.tags
        wheelsOnly = request.binaryFormats.requiresWheel(project)
        targetPython = request.target.pythonVersion
    }

    mutating func screen(_ file: DistributionFile, yankedUsable: Bool, ranks: inout TagRanks) -> Screening {
        if !yankedUsable && file.yanked.isYanked { return .yanked }
        if python != nil, let text = file.requiresPython, let excluding = pythonVerdict(text, file) {
            return .requiresPython(excluding)
        }
        switch file.kind {
        case .wheel(let wheel):
            guard let tags else { return .usable }
            let key = wheel.tagSetKey
            if let lastTags, lastTags.key == key { return lastTags.compatible ? .usable : .platform }
            let compatible = ranks.priority(of: wheel, among: tags) != nil
            lastTags = (key, compatible)
            return compatible ? .usable : .platform
        case .sdist: return wheelsOnly ? .sourceOnly : .usable
        case .other: return .ignored
        }
    }

    /// The index in `excludingSets` of `text`'s set when it excludes the target Python.
    private mutating func pythonVerdict(_ text: String, _ file: DistributionFile) -> Int? {
        if let lastPython, lastPython.text == text { return lastPython.verdict }
        let verdict: Int?
        if let known = verdicts[text] {
            verdict = known
        } else if let python, let set = file.requiresPythonSpecifiers,
                  !set.requiresPythonLowerBound.contains(python, prereleases: true) {
            verdict = excludingSets.count
            excludingSets.append(set)
            verdicts[text] = verdict
        } else {
            verdict = nil
            verdicts[text] = .some(nil)
        }
        lastPython = (text, verdict)
        return verdict
    }

    /// The ``Exclusion`` `screening` stands for, `file` being the file it was made of.
    func exclusion(_ screening: Screening, of file: DistributionFile) -> Exclusion {
        switch screening {
        case .yanked: return .yanked(file.yanked.reason)
        case .requiresPython(let index): return .requiresPython(excludingSets[index], target: targetPython)
        case .platform: return .platform
        case .sourceOnly: return .sourceOnly
        case .usable, .ignored: return .noUsableFile
        }
    }
}

/// Why a listed version cannot be used (the most telling reason of its files', see
/// ``Screening/rank``); its text is made only when an explanation asks for it.
enum Exclusion: Sendable, CustomStringConvertible {
    case requiresPython(SpecifierSet, target: String)
    case yanked(String?)
    case platform
    case sourceOnly
    /// `--no-binary` names the project and the version has no sdist.
    case noSourceDistribution
    case noUsableFile
    case prerelease(rule: String)

    var description: String {
        switch self {
        case .requiresPython(let requires, let target): return "it requires Python \(requires), the target is \(target)"
        case .yanked(let reason): return "it was yanked" + (reason.map { " (\($0))" } ?? "")
        case .platform: return "it has no wheel for the target platform"
        case .sourceOnly: return "it has only a source distribution and only wheels are allowed"
        case .noSourceDistribution: return "it has no source distribution and --no-binary asks to build it from one"
        case .noUsableFile: return "it has no usable file"
        case .prerelease(let rule): return "it is a pre-release; pre-releases are used only when \(rule)"
        }
    }
}

/// The target's priority per wheel tag set (nil: incompatible), computed once per distinct tag
/// set: a page has thousands of wheels and a handful of tag sets.
private struct TagRanks {
    private var byKey: [WheelFilename.TagSetKey: Int?] = [:]
    /// The same by tag text, for names with equal tags but tag sets of their own (parsed from a
    /// page rather than read back from its archive).
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
/// to ask: ``prepare(_:files:likelyPick:)`` is the prefetcher's `pageArrived`
/// (``MetadataPrefetcher/init(source:pool:cancellation:dependencyNames:pageArrived:)``), and the
/// provider takes each project's candidates once.
final class PreparedCandidates: Sendable {
    let builder: CandidateBuilder
    private let built = Locked<[String: ProjectCandidates]>([:])

    init(builder: CandidateBuilder) {
        self.builder = builder
    }

    /// Builds and keeps the candidates of `project`'s `files`, and returns the file the solver will
    /// most likely try first, for its metadata to be prefetched: the preferred file of the newest
    /// usable version that `specifiers` (what the requirements read so far ask of the project)
    /// admit, when that file is a wheel (an sdist's metadata means fetching and reading it whole).
    /// A guess: later requirements may narrow the project further; the solver decides.
    @discardableResult
    func prepare(_ project: String, files: [DistributionFile], likelyPick specifiers: [SpecifierSet] = []) -> DistributionFile? {
        let candidates = builder.candidates(project, files: files)
        built.withLock { $0[project] = candidates }
        let newest = candidates.ordered.first { version in specifiers.allSatisfy { $0.contains(version, prereleases: true) } }
        guard let newest, let file = candidates.files(of: newest)?.first, file.kind.wheel != nil else { return nil }
        return file
    }

    /// The candidates prepared for `project`, handed over once.
    func take(_ project: String) -> ProjectCandidates? {
        built.withLock { $0.removeValue(forKey: project) }
    }
}
