/// One dependency edge as the provider reports it: `package` must be selected in `versions`.
public struct Dependency<Package: Hashable & Sendable, VS: SolverVersionSet>: Sendable {
    public var package: Package
    public var versions: VS
    /// The requirement as written (`werkzeug>=3.0`), used in explanations instead of the set.
    public var label: String?

    public init(package: Package, versions: VS, label: String? = nil) {
        self.package = package
        self.versions = versions
        self.label = label
    }
}

/// What a provider knows about one version of a package.
public enum Dependencies<Package: Hashable & Sendable, VS: SolverVersionSet>: Sendable {
    /// The version can be used and needs these packages.
    case available([Dependency<Package, VS>])
    /// The version can not be used; `reason` says why in words for a user
    /// ("requires Python >=3.12 but the target is 3.9").
    case unavailable(reason: String)
}

/// Where the PubGrub solver gets versions and dependencies from (an in-memory universe in tests,
/// a package index for Python). Calls may block on I/O; they are made from the solving thread.
public protocol DependencyProvider<Package, VS> {
    associatedtype Package: Hashable & Sendable & CustomStringConvertible
    associatedtype VS: SolverVersionSet

    /// Every version the solver may choose for `package`, most preferred first (newest first).
    func availableVersions(for package: Package) throws -> [VS.Version]

    /// The dependencies of `package` at `version`.
    func dependencies(of package: Package, version: VS.Version) throws -> Dependencies<Package, VS>

    /// Hints the versions the solver is likely to look at next (the best candidate of each
    /// package waiting for a decision), so metadata can be fetched ahead. Default: nothing.
    func prefetch(_ candidates: [(package: Package, version: VS.Version)])
}

extension DependencyProvider {
    public func prefetch(_ candidates: [(package: Package, version: VS.Version)]) {}
}
