// Version specifiers (PEP 440) as unions of intervals, for a PubGrub-style resolver.

/// A point on the PEP 440 version line: a real version, or a marker just above a family of
/// versions that PEP 440 treats specially.
///
/// - `exact(V)`: the version `V` itself.
/// - `afterLocals(V)`: above `V` and every `V+local`, below anything else greater than `V`
///   (the upper end of `==V`, `<=V`).
/// - `afterPostReleases(V)`: above `V`, `V+local` and every `V.postN` (the lower end of `>V`).
public struct VersionBoundary: Sendable, Hashable, Comparable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable { case exact, afterLocals, afterPostReleases }
    public let version: Version
    public let kind: Kind
    let key: ComparisonKey
    let localIsInfinite: Bool

    public init(_ version: Version, _ kind: Kind = .exact) {
        self.version = version
        self.kind = kind
        switch kind {
        case .exact:
            key = version.key
            localIsInfinite = false
        case .afterLocals:
            key = ComparisonKey(epoch: version.epoch, release: version.release, pre: version.pre, post: version.post, dev: version.dev, local: nil)
            localIsInfinite = true
        case .afterPostReleases:
            let base = ComparisonKey(epoch: version.epoch, release: version.release, pre: version.pre, post: version.post, dev: version.dev, local: nil)
            var suffix = base.suffix
            suffix.postRank = 1
            suffix.postNumber = Int.max  // above every real post number
            suffix.devRank = 1
            suffix.devNumber = 0
            key = ComparisonKey(epoch: base.epoch, trimmedRelease: base.release, suffix: suffix)
            localIsInfinite = true
        }
    }

    public static func < (a: VersionBoundary, b: VersionBoundary) -> Bool {
        if a.key.epoch != b.key.epoch { return a.key.epoch < b.key.epoch }
        if a.key.release != b.key.release { return a.key.release.lexicographicallyPrecedes(b.key.release) }
        if a.key.suffix != b.key.suffix { return a.key.suffix < b.key.suffix }
        switch (a.localIsInfinite, b.localIsInfinite) {
        case (true, true): return false
        case (true, false): return false
        case (false, true): return true
        case (false, false):
            return ComparisonKey.localPrecedes(a.key.local, b.key.local)
        }
    }

    public static func == (a: VersionBoundary, b: VersionBoundary) -> Bool {
        a.key.epoch == b.key.epoch && a.key.release == b.key.release && a.key.suffix == b.key.suffix
            && a.localIsInfinite == b.localIsInfinite && (a.localIsInfinite || a.key.local == b.key.local)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(key.epoch)
        hasher.combine(key.release)
        hasher.combine(key.suffix)
        hasher.combine(localIsInfinite)
        if !localIsInfinite { hasher.combine(key.local) }
    }

    public var description: String {
        switch kind {
        case .exact: return version.description
        case .afterLocals: return "\(version)+*"
        case .afterPostReleases: return "\(version).post*"
        }
    }
}

/// A set of versions as a sorted union of disjoint intervals, closed under intersection, union
/// and complement: what a PubGrub resolver manipulates for "versions of package P allowed".
///
/// Built from a ``Specifier`` or ``SpecifierSet``, the set is exact for every operator
/// (including `>V` excluding post-releases, `<V` excluding pre-releases, `<=V`/`==V`/`!=V`
/// with local labels and `==`/`!=` wildcards), with these documented approximations, all of
/// which only ever make the set *larger* (safe: the resolver re-checks every candidate with
/// ``SpecifierSet/contains(_:prereleases:)``):
/// - `===` clauses become the full range;
/// - pre-release *policy* is not represented (ranges contain pre-releases);
/// - an interval can be non-empty as bounds yet hold no real version, e.g.
///   `(1.0a1.post*, 1.0a2.dev0)`; ``isEmpty`` reports only bound-level emptiness;
/// - a post number of exactly `Int.max` is treated as "infinity".
public struct VersionSet: Sendable, Hashable, CustomStringConvertible {
    public enum LowerBound: Sendable, Hashable {
        case unbounded
        case bound(VersionBoundary, inclusive: Bool)
    }
    public enum UpperBound: Sendable, Hashable {
        case unbounded
        case bound(VersionBoundary, inclusive: Bool)
    }
    public struct Interval: Sendable, Hashable {
        public let lower: LowerBound
        public let upper: UpperBound
        public init(lower: LowerBound, upper: UpperBound) {
            self.lower = lower
            self.upper = upper
        }
        public func contains(_ version: Version) -> Bool {
            let point = VersionBoundary(version)
            switch lower {
            case .unbounded: break
            case .bound(let b, let inclusive): if inclusive ? point < b : point <= b { return false }
            }
            switch upper {
            case .unbounded: return true
            case .bound(let b, let inclusive): return inclusive ? point <= b : point < b
            }
        }
        var isEmpty: Bool {
            guard case .bound(let l, let li) = lower, case .bound(let u, let ui) = upper else { return false }
            if l == u { return !(li && ui) }
            return l > u
        }
    }

    /// Sorted, disjoint, non-touching intervals.
    public let intervals: [Interval]

    public init(intervals: [Interval]) {
        self.intervals = Self.normalize(intervals)
    }

    public static let full = VersionSet(intervals: [Interval(lower: .unbounded, upper: .unbounded)])
    public static let empty = VersionSet(intervals: [])

    /// Exactly one version (including its exact local label, if any).
    public static func exactly(_ version: Version) -> VersionSet {
        let b = VersionBoundary(version)
        return VersionSet(intervals: [Interval(lower: .bound(b, inclusive: true), upper: .bound(b, inclusive: true))])
    }

    /// The versions a clause admits (pre-release policy aside).
    public init(_ specifier: Specifier) {
        guard let v = specifier.version, specifier.operator != .arbitrary else {
            self = .full
            return
        }
        func at(_ version: Version, _ kind: VersionBoundary.Kind = .exact) -> VersionBoundary { VersionBoundary(version, kind) }
        let intervals: [Interval]
        switch specifier.operator {
        case .arbitrary:
            intervals = [Interval(lower: .unbounded, upper: .unbounded)]
        case .equal where specifier.isWildcard, .notEqual where specifier.isWildcard:
            let inside = Interval(lower: .bound(at(specifier.lowerEdge!), inclusive: true), upper: .bound(at(specifier.upperEdge!), inclusive: false))
            let set = VersionSet(intervals: [inside])
            self = specifier.operator == .equal ? set : set.complement
            return
        case .equal, .notEqual:
            let top = specifier.hasLocal ? at(v) : at(v, .afterLocals)
            let set = VersionSet(intervals: [Interval(lower: .bound(at(v), inclusive: true), upper: .bound(top, inclusive: true))])
            self = specifier.operator == .equal ? set : set.complement
            return
        case .greaterThanOrEqual:
            intervals = [Interval(lower: .bound(at(v), inclusive: true), upper: .unbounded)]
        case .lessThanOrEqual:
            intervals = [Interval(lower: .unbounded, upper: .bound(at(v, .afterLocals), inclusive: true))]
        case .lessThan:
            intervals = [Interval(lower: .unbounded, upper: .bound(at(specifier.upperEdge!), inclusive: false))]
        case .greaterThan:
            if let lowerEdge = specifier.lowerEdge {  // >V.devN, >V.postN
                intervals = [Interval(lower: .bound(at(lowerEdge), inclusive: true), upper: .unbounded)]
            } else {
                intervals = [Interval(lower: .bound(at(v, .afterPostReleases), inclusive: false), upper: .unbounded)]
            }
        case .compatible:
            intervals = [Interval(lower: .bound(at(v), inclusive: true), upper: .bound(at(specifier.upperEdge!), inclusive: false))]
        }
        self.init(intervals: intervals)
    }

    /// The intersection of every clause's set.
    public init(_ specifiers: SpecifierSet) {
        var result = VersionSet.full
        for spec in specifiers.specifiers {
            result = result.intersection(VersionSet(spec))
        }
        self = result
    }

    public var isEmpty: Bool { intervals.isEmpty }
    public var isFull: Bool { intervals == [Interval(lower: .unbounded, upper: .unbounded)] }

    public func contains(_ version: Version) -> Bool { intervals.contains { $0.contains(version) } }

    public var complement: VersionSet {
        var out: [Interval] = []
        var lower: LowerBound = .unbounded
        for interval in intervals {
            if case .bound(let b, let inclusive) = interval.lower {
                out.append(Interval(lower: lower, upper: .bound(b, inclusive: !inclusive)))
            }
            switch interval.upper {
            case .unbounded: return VersionSet(intervals: out)
            case .bound(let b, let inclusive): lower = .bound(b, inclusive: !inclusive)
            }
        }
        out.append(Interval(lower: lower, upper: .unbounded))
        return VersionSet(intervals: out)
    }

    public func intersection(_ other: VersionSet) -> VersionSet {
        var out: [Interval] = []
        var i = 0, j = 0
        while i < intervals.count && j < other.intervals.count {
            let a = intervals[i], b = other.intervals[j]
            let candidate = Interval(lower: Self.maxLower(a.lower, b.lower), upper: Self.minUpper(a.upper, b.upper))
            if !candidate.isEmpty { out.append(candidate) }
            if Self.upperPrecedes(a.upper, b.upper) { i += 1 } else { j += 1 }
        }
        return VersionSet(intervals: out)
    }

    public func union(_ other: VersionSet) -> VersionSet {
        complement.intersection(other.complement).complement
    }

    /// Versions in `self` but not in `other`.
    public func subtracting(_ other: VersionSet) -> VersionSet { intersection(other.complement) }

    public func isSubset(of other: VersionSet) -> Bool { subtracting(other).isEmpty }
    public func isDisjoint(with other: VersionSet) -> Bool { intersection(other).isEmpty }

    public var description: String {
        if intervals.isEmpty { return "∅" }
        return intervals.map { interval -> String in
            let l: String
            switch interval.lower {
            case .unbounded: l = "(-∞"
            case .bound(let b, let inc): l = (inc ? "[" : "(") + b.description
            }
            let u: String
            switch interval.upper {
            case .unbounded: u = "∞)"
            case .bound(let b, let inc): u = b.description + (inc ? "]" : ")")
            }
            return "\(l), \(u)"
        }.joined(separator: " ∪ ")
    }

    // MARK: Bound algebra

    static func maxLower(_ a: LowerBound, _ b: LowerBound) -> LowerBound {
        switch (a, b) {
        case (.unbounded, _): return b
        case (_, .unbounded): return a
        case (.bound(let x, let xi), .bound(let y, let yi)):
            if x == y { return .bound(x, inclusive: xi && yi) }
            return x < y ? b : a
        }
    }

    static func minUpper(_ a: UpperBound, _ b: UpperBound) -> UpperBound {
        switch (a, b) {
        case (.unbounded, _): return b
        case (_, .unbounded): return a
        case (.bound(let x, let xi), .bound(let y, let yi)):
            if x == y { return .bound(x, inclusive: xi && yi) }
            return x < y ? a : b
        }
    }

    /// `a` ends strictly before `b`.
    static func upperPrecedes(_ a: UpperBound, _ b: UpperBound) -> Bool {
        switch (a, b) {
        case (.unbounded, _): return false
        case (_, .unbounded): return true
        case (.bound(let x, let xi), .bound(let y, let yi)):
            if x == y { return !xi && yi }
            return x < y
        }
    }

    /// Drops empty intervals and merges overlapping or touching neighbours (input sorted by lower).
    static func normalize(_ input: [Interval]) -> [Interval] {
        var out: [Interval] = []
        for interval in input where !interval.isEmpty {
            guard let last = out.last else {
                out.append(interval)
                continue
            }
            if touches(last.upper, interval.lower) {
                let upper = upperPrecedes(last.upper, interval.upper) ? interval.upper : last.upper
                out[out.count - 1] = Interval(lower: last.lower, upper: upper)
            } else {
                out.append(interval)
            }
        }
        return out
    }

    /// The interval ending at `upper` overlaps or abuts the one starting at `lower`.
    static func touches(_ upper: UpperBound, _ lower: LowerBound) -> Bool {
        switch (upper, lower) {
        case (.unbounded, _), (_, .unbounded): return true
        case (.bound(let u, let ui), .bound(let l, let li)):
            if u == l { return ui || li }
            return l < u
        }
    }
}

extension ComparisonKey {
    init(epoch: Int, trimmedRelease: [Int], suffix: Suffix) {
        self.init(epoch: epoch, release: trimmedRelease, pre: nil, post: nil, dev: nil, local: nil)
        self.suffix = suffix
    }

    static func localPrecedes(_ a: [Version.LocalSegment]?, _ b: [Version.LocalSegment]?) -> Bool {
        switch (a, b) {
        case (nil, nil): return false
        case (nil, _): return true
        case (_, nil): return false
        case (let l?, let r?): return l.lexicographicallyPrecedes(r)
        }
    }
}
