import Foundation
import PackageIndex
import PackagingStandards
import WorkScheduling

/// Resolves Python requirements to pins (what `uv pip compile` does), with the PubGrub solver
/// over a ``PackageSource``. One value per resolution; `resolve` blocks its calling thread.
public struct PythonResolver: Sendable {
    /// The pool speculative fetches run on (it must not be the pool the caller runs on).
    public var pool: WorkerPool

    public init(pool: WorkerPool = WorkerPool(label: "lazywheel.resolver.prefetch", width: 48)) {
        self.pool = pool
    }

    /// Resolves `request` against `source`.
    /// - Parameter progress: called with (packages decided, packages discovered) after each decision.
    /// - Throws: ``ResolutionError`` (``ResolutionError/noSolution(_:)`` carries the explanation),
    ///   ``OperationCancelled``, or the source's errors.
    public func resolve(
        _ request: ResolutionRequest, source: any PackageSource,
        cancellation: CancellationToken? = nil,
        progress: (@Sendable (_ resolved: Int, _ discovered: Int) -> Void)? = nil
    ) throws -> Resolution {
        let started = Date()
        let environment = request.target.markerEnvironment
        // What the user and the metadata read so far require of each project: the prefetcher's
        // guess of the solver's pick honours it, so a `webframe<3` root or a `wsgitool<3`
        // dependency does not prefetch the newest version for nothing.
        var rootSpecifiers: [String: [SpecifierSet]] = [:]
        for requirement in request.requirements + request.constraints {
            rootSpecifiers[requirement.canonicalName, default: []].append(requirement.specifier)
        }
        let requiredSpecifiers = Locked(rootSpecifiers)
        let memo = RequirementMemo()
        let prepared = PreparedCandidates(builder: try CandidateBuilder(request: request))
        let prefetcher = MetadataPrefetcher(
            source: source, pool: pool, cancellation: cancellation,
            dependencyNames: { metadata in
                let dependencies = memo.requirements(of: metadata).filter { requirement in
                    (try? requirement.applies(in: environment)) == true
                }
                requiredSpecifiers.withLock { table in
                    for dependency in dependencies { table[dependency.canonicalName, default: []].append(dependency.specifier) }
                }
                return dependencies.map(\.canonicalName)
            },
            pageArrived: { project, files in
                prepared.prepare(project, files: files, likelyPick: requiredSpecifiers.withLock { $0[project] ?? [] })
            })
        prefetcher.prefetchPages(request.requirements.filter { $0.url == nil }.map(\.canonicalName))
        let provider = try PythonDependencyProvider(
            request: request, source: prefetcher, prepared: prepared, requirements: memo, cancellation: cancellation)
        var solver = PubGrubSolver(
            provider: provider, root: PythonPackage.root, rootVersion: try Version("0"),
            cancellation: cancellation, progress: progress)
        let decisions: [PythonPackage: Version]
        do {
            decisions = try solver.solve()
        } catch let failure as NoSolution<PythonPackage, VersionRanges<Version>> {
            throw ResolutionError.noSolution(Self.report(failure.tree, provider: provider))
        }
        var statistics = ResolutionStatistics()
        statistics.decisions = solver.statistics.decisions
        statistics.conflicts = solver.statistics.conflicts
        statistics.backtracks = solver.statistics.backtracks
        statistics.versionsExamined = solver.statistics.versionsExamined
        statistics.prefetch = prefetcher.statistics
        statistics.seconds = Date().timeIntervalSince(started)
        let resolution = Resolution(packages: Self.packages(decisions, provider: provider), statistics: statistics)
        return resolution
    }

    static func packages(_ decisions: [PythonPackage: Version], provider: PythonDependencyProvider) -> [ResolvedPackage] {
        var byName: [String: ResolvedPackage] = [:]
        var requires: [String: Set<String>] = [:]
        for (package, version) in decisions {
            guard let name = package.name else { continue }
            if byName[name] == nil {
                byName[name] = ResolvedPackage(
                    name: name, version: version.description, url: provider.fileURL(of: name, version: version),
                    isDirectReference: provider.url(of: name) != nil)
            }
            if case .extra(_, let extra) = package { byName[name]!.extrasUsed.append(extra) }
            for dependency in provider.reported[package]?[version] ?? [] {
                guard let dependencyName = dependency.package.name, dependencyName != name,
                      decisions[dependency.package] != nil else { continue }
                requires[name, default: []].insert(dependency.package.description)
            }
        }
        return byName.values.map { package in
            var package = package
            package.extrasUsed.sort()
            package.requires = (requires[package.name] ?? []).sorted()
            return package
        }
    }

    static func report(_ tree: DerivationTree<PythonPackage, VersionRanges<Version>>, provider: PythonDependencyProvider) -> ConflictReport {
        var known: [String: PythonDependencyProvider.Candidates] = [:]
        var facts: [ConflictFact] = []
        for fact in tree.externalFacts {
            for package in fact.packages {
                if let name = package.name, known[name] == nil { known[name] = try? provider.projectCandidates(name) }
            }
        }
        let vocabulary = PythonVocabulary(known: known)
        for fact in tree.externalFacts {
            switch fact {
            case .root: continue
            case .noVersions(let package, let set):
                facts.append(ConflictFact(kind: "noVersions", package: package.description,
                                          versions: vocabulary.describe(package, set), dependency: nil,
                                          reason: vocabulary.noVersionsDetail(package, set)))
            case .unavailable(let package, let set, let reason):
                facts.append(ConflictFact(kind: "unavailable", package: package.description,
                                          versions: vocabulary.describe(package, set), dependency: nil, reason: reason))
            case .dependency(let package, let set, let dependency, let dependencySet, let label):
                let root = package == .root
                facts.append(ConflictFact(kind: root ? "requirement" : "dependency", package: root ? nil : package.description,
                                          versions: root ? "*" : vocabulary.describe(package, set),
                                          dependency: label ?? vocabulary.describe(dependency, dependencySet), reason: nil))
            }
        }
        return ConflictReport(message: ConflictExplanation.explain(tree, vocabulary: vocabulary), facts: facts)
    }
}

extension ExternalFact {
    /// The packages the fact names.
    var packages: [Package] {
        switch self {
        case .root(let p, _), .noVersions(let p, _), .unavailable(let p, _, _): return [p]
        case .dependency(let p, _, let d, _, _): return [p, d]
        }
    }
}
