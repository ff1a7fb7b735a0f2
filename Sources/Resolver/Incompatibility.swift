/// Why an incompatibility holds: a fact given by the dependency provider (external) or one
/// derived by conflict resolution from two earlier incompatibilities (PubGrub "derived").
enum IncompatibilityCause<Package: Hashable & Sendable, VS: SolverVersionSet>: Sendable {
    /// The root package must be selected at its one version.
    case root(Package, VS.Version)
    /// No candidate version of the package lies in the set.
    case noVersions(Package, VS)
    /// The package's version can not be used; the reason is written for a user.
    case unavailable(Package, VS, reason: String)
    /// `package` in `versions` depends on `dependency` in `dependencyVersions`; `label` is the
    /// requirement as the user or the metadata wrote it, when known.
    case dependency(package: Package, versions: VS, dependency: Package, dependencyVersions: VS, label: String?)
    /// Derived from two incompatibilities by the resolution rule (indices into the solver's store).
    case derived(Int, Int)
}

/// A set of terms that must not all be true at once (PubGrub "incompatibility").
struct Incompatibility<Package: Hashable & Sendable, VS: SolverVersionSet>: Sendable {
    /// Terms in a stable order; at most one per package.
    private(set) var terms: [(package: Package, term: Term<VS>)]
    let cause: IncompatibilityCause<Package, VS>

    /// Builds an incompatibility, intersecting terms that name the same package and dropping terms
    /// every selection satisfies. In derived incompatibilities, a positive root term is dropped
    /// unless it is the only term.
    init(terms input: [(Package, Term<VS>)], cause: IncompatibilityCause<Package, VS>, root: Package?) {
        var merged: [(package: Package, term: Term<VS>)] = []
        var index: [Package: Int] = [:]
        for (package, term) in input {
            if let i = index[package] {
                merged[i].term = merged[i].term.intersection(term)
            } else {
                index[package] = merged.count
                merged.append((package, term))
            }
        }
        // A term every selection satisfies constrains nothing: "depends on a package in no
        // version" means the depender can not be used.
        merged.removeAll { !$0.term.isPositive && $0.term.set.isEmpty }
        if case .derived = cause {
            if let root, merged.count > 1 {
                merged.removeAll { $0.package == root && $0.term.isPositive }
            }
        }
        self.terms = merged
        self.cause = cause
    }

    func term(for package: Package) -> Term<VS>? {
        terms.first { $0.package == package }?.term
    }

    /// Whether the incompatibility means version solving failed: no terms, or only the root.
    func isFailure(root: Package) -> Bool {
        terms.isEmpty || (terms.count == 1 && terms[0].package == root && terms[0].term.isPositive)
    }
}
