/// One step of the partial solution: a decision (a version chosen) or a derivation (a term
/// implied by an incompatibility through unit propagation).
struct Assignment<Package: Hashable & Sendable, VS: SolverVersionSet>: Sendable {
    let package: Package
    let term: Term<VS>
    let decisionLevel: Int
    /// The incompatibility that implied the term; nil for a decision.
    let cause: Int?
    /// Position in the ordered assignment list.
    let index: Int

    var isDecision: Bool { cause == nil }
}

/// The ordered list of assignments PubGrub builds, with the intersection of all terms per
/// package kept up to date (PubGrub "partial solution").
struct PartialSolution<Package: Hashable & Sendable, VS: SolverVersionSet>: Sendable {
    private(set) var assignments: [Assignment<Package, VS>] = []
    private var byPackage: [Package: [Int]] = [:]
    private var accumulated: [Package: Term<VS>] = [:]
    private(set) var decisions: [Package: VS.Version] = [:]
    /// Packages in the order they were first assigned, for stable choices.
    private(set) var discoveryOrder: [Package] = []
    private var discovered: Set<Package> = []

    var decisionLevel: Int { decisions.count }

    mutating func decide(_ package: Package, _ version: VS.Version) {
        decisions[package] = version
        append(package, .positive(.singleton(version)), cause: nil)
    }

    mutating func derive(_ package: Package, _ term: Term<VS>, cause: Int) {
        append(package, term, cause: cause)
    }

    private mutating func append(_ package: Package, _ term: Term<VS>, cause: Int?) {
        let assignment = Assignment(package: package, term: term, decisionLevel: decisionLevel,
                                    cause: cause, index: assignments.count)
        assignments.append(assignment)
        byPackage[package, default: []].append(assignment.index)
        accumulated[package] = (accumulated[package] ?? .any).intersection(term)
        if discovered.insert(package).inserted { discoveryOrder.append(package) }
    }

    /// The intersection of every term assigned to `package` (``Term/any`` when none).
    func term(for package: Package) -> Term<VS> { accumulated[package] ?? .any }

    func relation(to term: Term<VS>, of package: Package) -> TermRelation {
        self.term(for: package).relation(to: term)
    }

    /// The earliest assignment such that all assignments up to it satisfy `term`.
    func satisfier(of package: Package, _ term: Term<VS>) -> Assignment<Package, VS> {
        var running = Term<VS>.any
        for i in byPackage[package] ?? [] {
            running = running.intersection(assignments[i].term)
            if running.isSubset(of: term) { return assignments[i] }
        }
        preconditionFailure("PubGrub invariant broken: no satisfier for \(package)")
    }

    /// Removes every assignment made after decision level `level`.
    mutating func backtrack(to level: Int) {
        guard let cut = assignments.firstIndex(where: { $0.decisionLevel > level }) else { return }
        let removed = assignments[cut...]
        var touched: Set<Package> = []
        for assignment in removed {
            touched.insert(assignment.package)
            if assignment.isDecision { decisions[assignment.package] = nil }
        }
        assignments.removeSubrange(cut...)
        for package in touched {
            let kept = (byPackage[package] ?? []).filter { $0 < cut }
            byPackage[package] = kept
            accumulated[package] = kept.reduce(Term<VS>.any) { $0.intersection(assignments[$1].term) }
        }
    }

    /// Packages that must be selected (positive term) but have no version decided yet, in discovery order.
    var undecidedPackages: [Package] {
        discoveryOrder.filter { decisions[$0] == nil && (accumulated[$0]?.isPositive ?? false) }
    }
}
