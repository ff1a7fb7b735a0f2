/// The small algebra of version sets the PubGrub solver works with.
///
/// PubGrub (Natalie Weizenbaum, "PubGrub: Next-Generation Version Solving", 2018) only needs sets
/// of versions closed under intersection and complement, with an empty and a full set, a singleton
/// set per version, and membership. ``VersionRanges`` implements it for any `Comparable` version
/// (integers in tests, PEP 440 versions for Python packages).
public protocol SolverVersionSet: Equatable, Sendable, CustomStringConvertible {
    /// The version type the set contains.
    associatedtype Version: Comparable & Hashable & Sendable & CustomStringConvertible

    /// The set containing no version.
    static var empty: Self { get }
    /// The set containing every version.
    static var full: Self { get }
    /// The set containing exactly `version`.
    static func singleton(_ version: Version) -> Self
    /// Every version not in this set.
    var complement: Self { get }
    /// Versions in both sets.
    func intersection(_ other: Self) -> Self
    /// Whether `version` is in the set.
    func contains(_ version: Version) -> Bool
    /// Whether both sets are non-empty and every version of `self` is newer than every version
    /// of `other`. Guides the solver's search through versions; `false` when unsure.
    func liesAbove(_ other: Self) -> Bool
}

extension SolverVersionSet {
    /// Versions in either set.
    public func union(_ other: Self) -> Self {
        complement.intersection(other.complement).complement
    }

    /// Whether the set contains no version.
    public var isEmpty: Bool { self == .empty }

    /// Whether every version of `self` is in `other`.
    public func isSubset(of other: Self) -> Bool {
        intersection(other.complement).isEmpty
    }

    /// Whether the two sets share no version.
    public func isDisjoint(with other: Self) -> Bool {
        intersection(other).isEmpty
    }
}
