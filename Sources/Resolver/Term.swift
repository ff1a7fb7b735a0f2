/// A PubGrub term: a statement that a package's selected version is (positive) or is not
/// (negative) in a version set. See "PubGrub: Next-Generation Version Solving", section "Terms".
struct Term<VS: SolverVersionSet>: Equatable, Sendable {
    var isPositive: Bool
    var set: VS

    static func positive(_ set: VS) -> Self { Self(isPositive: true, set: set) }
    static func negative(_ set: VS) -> Self { Self(isPositive: false, set: set) }
    /// The term every selection satisfies (including "not selected").
    static var any: Self { .negative(.empty) }

    var negated: Self { Self(isPositive: !isPositive, set: set) }

    /// Whether the term allows `version` to be selected.
    func contains(_ version: VS.Version) -> Bool { set.contains(version) == isPositive }

    /// The term satisfied exactly when both terms are.
    func intersection(_ other: Self) -> Self {
        switch (isPositive, other.isPositive) {
        case (true, true): return .positive(set.intersection(other.set))
        case (true, false): return .positive(set.intersection(other.set.complement))
        case (false, true): return .positive(other.set.intersection(set.complement))
        case (false, false): return .negative(set.union(other.set))
        }
    }

    /// The term satisfied by `self` but not `other`.
    func difference(_ other: Self) -> Self { intersection(other.negated) }

    /// Whether no selection satisfies the term. A negative term is always satisfiable, by not
    /// selecting the package at all.
    var isEmpty: Bool { isPositive && set.isEmpty }

    /// Whether every selection satisfying `self` satisfies `other`.
    func isSubset(of other: Self) -> Bool { difference(other).isEmpty }

    /// Whether no selection satisfies both terms.
    func isDisjoint(with other: Self) -> Bool { intersection(other).isEmpty }

    /// How an accumulated assignment (`self`) relates to a term of an incompatibility.
    func relation(to term: Self) -> TermRelation {
        if isSubset(of: term) { return .satisfied }
        if isDisjoint(with: term) { return .contradicted }
        return .inconclusive
    }
}

/// Whether a partial solution satisfies, contradicts, or says nothing definite about a term.
enum TermRelation: Equatable, Sendable {
    case satisfied
    case contradicted
    case inconclusive
}
