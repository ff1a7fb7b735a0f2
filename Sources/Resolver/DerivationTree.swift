/// The proof that version solving failed: external facts at the leaves, each inner node derived
/// from its two children by PubGrub's resolution rule. The explanation text is written from it.
public indirect enum DerivationTree<Package: Hashable & Sendable & CustomStringConvertible, VS: SolverVersionSet>: Sendable {
    /// A fact given by the provider.
    case external(ExternalFact<Package, VS>)
    /// A derived incompatibility; `id` identifies nodes that appear more than once in the tree.
    case derived(terms: [IncompatibilityTerm<Package, VS>], id: Int, cause1: DerivationTree, cause2: DerivationTree)
}

/// One term of an incompatibility in a derivation tree: "package is (or is not) in versions".
public struct IncompatibilityTerm<Package: Hashable & Sendable & CustomStringConvertible, VS: SolverVersionSet>: Sendable {
    public var package: Package
    public var isPositive: Bool
    public var versions: VS
}

/// A leaf of a derivation tree.
public enum ExternalFact<Package: Hashable & Sendable & CustomStringConvertible, VS: SolverVersionSet>: Sendable {
    /// The root package is being solved at this version.
    case root(Package, VS.Version)
    /// No candidate version of the package lies in the set.
    case noVersions(Package, VS)
    /// These versions of the package can not be used, for `reason`.
    case unavailable(Package, VS, reason: String)
    /// `package` in `versions` depends on `dependency` in `dependencyVersions` (written `label`).
    case dependency(package: Package, versions: VS, dependency: Package, dependencyVersions: VS, label: String?)
}

extension DerivationTree {
    /// Every external fact in the tree, left to right.
    public var externalFacts: [ExternalFact<Package, VS>] {
        switch self {
        case .external(let fact): return [fact]
        case .derived(_, _, let a, let b): return a.externalFacts + b.externalFacts
        }
    }
}
