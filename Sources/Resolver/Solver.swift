import WorkScheduling

/// Version solving failed; ``tree`` is the proof, for ``ConflictExplanation``.
public struct NoSolution<Package: Hashable & Sendable & CustomStringConvertible, VS: SolverVersionSet>: Error, Sendable {
    public let tree: DerivationTree<Package, VS>
}

/// Counters describing one run of the solver.
public struct SolverStatistics: Sendable, Equatable {
    public var decisions = 0
    public var conflicts = 0
    public var backtracks = 0
    /// Versions whose dependencies were asked for.
    public var versionsExamined = 0
    public init() {}
}

/// The PubGrub version-solving algorithm (Weizenbaum 2018; the Dart `pub` solver write-up, and
/// the Rust `pubgrub` crate used by uv): unit propagation over incompatibilities, conflict
/// resolution that learns new incompatibilities and backjumps, and decisions that pick the most
/// constrained package (fewest candidate versions in range) and its most preferred version.
///
/// When the preferred version of a package directly conflicts with the current assignments, the
/// solver gallops and then bisects through the older candidates to find the newest one that does
/// not (a heuristic for the `boto3`/`botocore` pattern of many versions pinned to each other): the
/// solution stays valid, and equals the newest-first one whenever dependencies change monotonically.
public struct PubGrubSolver<Provider: DependencyProvider> {
    public typealias Package = Provider.Package
    public typealias VS = Provider.VS

    private let provider: Provider
    private let root: Package
    private let rootVersion: VS.Version
    private let cancellation: CancellationToken?
    /// Called after every decision with (packages decided, packages discovered).
    private let progress: ((Int, Int) -> Void)?

    private var incompatibilities: [Incompatibility<Package, VS>] = []
    private var incompatibilitiesByPackage: [Package: [Int]] = [:]
    private var solution = PartialSolution<Package, VS>()
    private var versionCache: [Package: [VS.Version]] = [:]
    private var dependencyCache: [Package: [VS.Version: Dependencies<Package, VS>]] = [:]
    private var candidateCache: [Package: (range: VS, candidates: [VS.Version])] = [:]
    public private(set) var statistics = SolverStatistics()

    public init(
        provider: Provider, root: Package, rootVersion: VS.Version,
        cancellation: CancellationToken? = nil, progress: ((Int, Int) -> Void)? = nil
    ) {
        self.provider = provider
        self.root = root
        self.rootVersion = rootVersion
        self.cancellation = cancellation
        self.progress = progress
    }

    /// Solves, returning the chosen version of every selected package (root included).
    /// Throws ``NoSolution`` when none exists, ``OperationCancelled``, or the provider's errors.
    public mutating func solve() throws -> [Package: VS.Version] {
        add(Incompatibility(terms: [(root, .negative(.singleton(rootVersion)))], cause: .root(root, rootVersion), root: root))
        var next: Package? = root
        while let package = next {
            try cancellation.throwIfCancelled()
            try propagate(from: package)
            next = try decideNext()
        }
        return solution.decisions
    }

    // MARK: unit propagation

    private enum PropagationResult {
        case none
        case almostSatisfied(Package)
        case conflict
    }

    private mutating func propagate(from start: Package) throws {
        var changed: [Package] = [start]
        var queued: Set<Package> = [start]
        while let package = changed.popLast() {
            queued.remove(package)
            let ids = incompatibilitiesByPackage[package] ?? []
            scan: for id in ids.reversed() {
                switch propagateOne(id) {
                case .none: continue
                case .almostSatisfied(let p):
                    if queued.insert(p).inserted { changed.append(p) }
                case .conflict:
                    let rootCause = try resolveConflict(id)
                    changed.removeAll()
                    queued.removeAll()
                    guard case .almostSatisfied(let p) = propagateOne(rootCause) else {
                        preconditionFailure("PubGrub invariant broken: learned clause not almost satisfied")
                    }
                    changed.append(p)
                    queued.insert(p)
                    break scan
                }
            }
        }
    }

    private mutating func propagateOne(_ id: Int) -> PropagationResult {
        let incompatibility = incompatibilities[id]
        var unsatisfied: (Package, Term<VS>)?
        for (package, term) in incompatibility.terms {
            switch solution.relation(to: term, of: package) {
            case .contradicted: return .none
            case .inconclusive:
                if unsatisfied != nil { return .none }
                unsatisfied = (package, term)
            case .satisfied: continue
            }
        }
        guard let (package, term) = unsatisfied else { return .conflict }
        solution.derive(package, term.negated, cause: id)
        return .almostSatisfied(package)
    }

    // MARK: conflict resolution

    private mutating func resolveConflict(_ conflict: Int) throws -> Int {
        statistics.conflicts += 1
        var current = conflict
        while !incompatibilities[current].isFailure(root: root) {
            let incompatibility = incompatibilities[current]
            var mostRecentTerm: (Package, Term<VS>)?
            var mostRecentSatisfier: Assignment<Package, VS>?
            var difference: Term<VS>?
            var previousLevel = 1
            for (package, term) in incompatibility.terms {
                let satisfier = solution.satisfier(of: package, term)
                if let recent = mostRecentSatisfier {
                    if recent.index < satisfier.index {
                        previousLevel = max(previousLevel, recent.decisionLevel)
                        mostRecentTerm = (package, term)
                        mostRecentSatisfier = satisfier
                        difference = nil
                    } else {
                        previousLevel = max(previousLevel, satisfier.decisionLevel)
                    }
                } else {
                    mostRecentTerm = (package, term)
                    mostRecentSatisfier = satisfier
                }
                if let (p, t) = mostRecentTerm, p == package, t == term, let recent = mostRecentSatisfier {
                    let diff = recent.term.difference(term)
                    if diff.isEmpty {
                        difference = nil
                    } else {
                        difference = diff
                        let priorSatisfier = solution.satisfier(of: package, diff.negated)
                        previousLevel = max(previousLevel, priorSatisfier.decisionLevel)
                    }
                }
            }
            guard let satisfier = mostRecentSatisfier, let (termPackage, _) = mostRecentTerm else {
                preconditionFailure("PubGrub invariant broken: conflict without terms")
            }
            if previousLevel < satisfier.decisionLevel || satisfier.isDecision {
                statistics.backtracks += 1
                solution.backtrack(to: previousLevel)
                return current
            }
            guard let causeID = satisfier.cause else { preconditionFailure("unreachable") }
            var newTerms: [(Package, Term<VS>)] = incompatibility.terms.filter { $0.package != termPackage }
            newTerms += incompatibilities[causeID].terms.filter { $0.package != satisfier.package }
            if let difference { newTerms.append((termPackage, difference.negated)) }
            current = add(Incompatibility(terms: newTerms, cause: .derived(current, causeID), root: root))
        }
        throw NoSolution(tree: derivationTree(current))
    }

    @discardableResult
    private mutating func add(_ incompatibility: Incompatibility<Package, VS>) -> Int {
        let id = incompatibilities.count
        incompatibilities.append(incompatibility)
        for (package, _) in incompatibility.terms {
            incompatibilitiesByPackage[package, default: []].append(id)
        }
        return id
    }

    // MARK: decisions

    private mutating func versions(of package: Package) throws -> [VS.Version] {
        if package == root { return [rootVersion] }
        if let cached = versionCache[package] { return cached }
        let listed = try provider.availableVersions(for: package)
        versionCache[package] = listed
        return listed
    }

    /// The versions of `package` its current term allows, most preferred first. Kept per package
    /// while the term stays the same: every decision looks at every package still waiting for
    /// one, and a project can list thousands of versions.
    private mutating func candidatesInRange(of package: Package) throws -> [VS.Version] {
        let range = solution.term(for: package).set
        if let cached = candidateCache[package], cached.range == range { return cached.candidates }
        let candidates = try versions(of: package).filter { range.contains($0) }
        candidateCache[package] = (range, candidates)
        return candidates
    }

    /// Picks the next package and version; returns the package to propagate from, or nil when done.
    private mutating func decideNext() throws -> Package? {
        let pending = solution.undecidedPackages
        guard !pending.isEmpty else { return nil }
        var best: (package: Package, candidates: [VS.Version])?
        var hints: [(package: Package, version: VS.Version)] = []
        for package in pending {
            let candidates = try candidatesInRange(of: package)
            if let first = candidates.first { hints.append((package, first)) }
            if best == nil || candidates.count < best!.candidates.count {
                best = (package, candidates)
            }
            if candidates.isEmpty { break }
        }
        guard let (package, candidates) = best else { return nil }
        provider.prefetch(hints.filter { $0.package != package })
        let range = solution.term(for: package).set
        guard !candidates.isEmpty else {
            add(Incompatibility(terms: [(package, .positive(range))], cause: .noVersions(package, range), root: root))
            return package
        }
        if let index = try chooseCandidate(package, candidates) {
            solution.decide(package, candidates[index])
            statistics.decisions += 1
            progress?(solution.decisions.count, solution.discoveryOrder.count)
        }
        return package
    }

    /// How a candidate relates to the current assignments.
    private enum Fit {
        /// No incompatibility of the version is violated.
        case fits
        /// It needs something newer than allowed, or is unusable: look at older candidates.
        case tooNew
        /// It needs something older than allowed: look at newer candidates.
        case tooOld
    }

    /// The index of the candidate to decide, or nil when none was found (the incompatibilities
    /// learned while probing then drive propagation).
    ///
    /// The newest candidate is tried first. When it does not fit, the search gallops towards
    /// older candidates (1, 2, 4, 8… steps) until one is not too new, then bisects back to the
    /// newest candidate that is not too new, which is decided when it fits.
    private mutating func chooseCandidate(_ package: Package, _ candidates: [VS.Version]) throws -> Int? {
        var fit = try self.fit(package, candidates[0])
        if fit == .fits { return 0 }
        if fit == .tooOld { return nil }
        var bad = 0
        var step = 1
        var high: Int?
        while high == nil {
            try cancellation.throwIfCancelled()
            let probe = min(bad + step, candidates.count - 1)
            if probe == bad { return nil }
            fit = try self.fit(package, candidates[probe])
            if fit == .tooNew {
                bad = probe
                step *= 2
            } else {
                high = probe
            }
        }
        guard var good = high else { return nil }
        while good - bad > 1 {
            try cancellation.throwIfCancelled()
            let middle = (bad + good) / 2
            let middleFit = try self.fit(package, candidates[middle])
            if middleFit == .tooNew { bad = middle } else { good = middle; fit = middleFit }
        }
        return fit == .fits ? good : nil
    }

    /// Adds the incompatibilities of `package` at `version` (once) and tells whether one of them
    /// is already violated by the current assignments, and in which direction.
    private mutating func fit(_ package: Package, _ version: VS.Version) throws -> Fit {
        let dependencies: Dependencies<Package, VS>
        if let cached = dependencyCache[package]?[version] {
            dependencies = cached
        } else {
            statistics.versionsExamined += 1
            dependencies = try provider.dependencies(of: package, version: version)
            dependencyCache[package, default: [:]][version] = dependencies
            switch dependencies {
            case .unavailable(let reason):
                add(Incompatibility(terms: [(package, .positive(.singleton(version)))],
                                    cause: .unavailable(package, .singleton(version), reason: reason), root: root))
            case .available(let list):
                // Propagation scans newest incompatibilities first; adding them in reverse makes
                // it derive dependencies in the order they were declared.
                for dependency in list.reversed() {
                    add(Incompatibility(
                        terms: [(package, .positive(.singleton(version))), (dependency.package, .negative(dependency.versions))],
                        cause: .dependency(package: package, versions: .singleton(version), dependency: dependency.package,
                                           dependencyVersions: dependency.versions, label: dependency.label),
                        root: root))
                }
            }
        }
        guard case .available(let list) = dependencies else { return .tooNew }
        var result = Fit.fits
        for dependency in list {
            if dependency.package == package {
                if !dependency.versions.contains(version) { return .tooNew }
                continue
            }
            let current = solution.term(for: dependency.package)
            guard current.isDisjoint(with: .positive(dependency.versions)) else { continue }
            if current.isPositive && current.set.liesAbove(dependency.versions) {
                result = .tooOld
            } else {
                return .tooNew
            }
        }
        return result
    }

    // MARK: derivation tree

    private func derivationTree(_ id: Int) -> DerivationTree<Package, VS> {
        var referenceCount: [Int: Int] = [:]
        func count(_ id: Int) {
            referenceCount[id, default: 0] += 1
            if referenceCount[id]! > 1 { return }
            if case .derived(let a, let b) = incompatibilities[id].cause { count(a); count(b) }
        }
        count(id)
        func build(_ id: Int) -> DerivationTree<Package, VS> {
            let incompatibility = incompatibilities[id]
            switch incompatibility.cause {
            case .derived(let a, let b):
                let terms = incompatibility.terms.map {
                    IncompatibilityTerm(package: $0.package, isPositive: $0.term.isPositive, versions: $0.term.set)
                }
                return .derived(terms: terms, id: (referenceCount[id] ?? 0) > 1 ? id : -1, cause1: build(a), cause2: build(b))
            case .root(let p, let v): return .external(.root(p, v))
            case .noVersions(let p, let s): return .external(.noVersions(p, s))
            case .unavailable(let p, let s, let reason): return .external(.unavailable(p, s, reason: reason))
            case .dependency(let p, let s, let d, let ds, let label):
                return .external(.dependency(package: p, versions: s, dependency: d, dependencyVersions: ds, label: label))
            }
        }
        return build(id)
    }
}
