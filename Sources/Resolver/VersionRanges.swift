/// One end of an interval of versions.
public enum VersionBound<V: Comparable & Hashable & Sendable>: Hashable, Sendable {
    case unbounded
    case included(V)
    case excluded(V)

    var value: V? {
        switch self {
        case .unbounded: return nil
        case .included(let v), .excluded(let v): return v
        }
    }
}

/// A contiguous interval of versions between two bounds.
public struct VersionInterval<V: Comparable & Hashable & Sendable>: Hashable, Sendable {
    public var lower: VersionBound<V>
    public var upper: VersionBound<V>

    public init(lower: VersionBound<V>, upper: VersionBound<V>) {
        self.lower = lower
        self.upper = upper
    }

    func contains(_ v: V) -> Bool {
        switch lower {
        case .unbounded: break
        case .included(let l): if v < l { return false }
        case .excluded(let l): if v <= l { return false }
        }
        switch upper {
        case .unbounded: return true
        case .included(let u): return v <= u
        case .excluded(let u): return v < u
        }
    }

    /// Whether the interval holds at least one point (bounds in the right order).
    var isValid: Bool {
        guard let l = lower.value, let u = upper.value else { return true }
        if l < u { return true }
        if l > u { return false }
        if case .included = lower, case .included = upper { return true }
        return false
    }
}

/// A set of versions as sorted, disjoint, non-adjacent intervals: the version-set representation
/// the PubGrub papers and uv's `pubgrub::Ranges` use. Generic over any `Comparable` version.
public struct VersionRanges<V: Comparable & Hashable & Sendable & CustomStringConvertible>: SolverVersionSet, Hashable {
    public typealias Version = V

    /// The intervals, sorted and pairwise disjoint.
    public private(set) var intervals: [VersionInterval<V>]

    /// Builds a set from intervals in any order; overlapping or touching intervals are merged.
    public init(_ intervals: [VersionInterval<V>]) {
        self.intervals = Self.normalize(intervals.filter(\.isValid))
    }

    private init(normalized: [VersionInterval<V>]) { self.intervals = normalized }

    public static var empty: Self { Self(normalized: []) }
    public static var full: Self { Self(normalized: [VersionInterval(lower: .unbounded, upper: .unbounded)]) }
    public static func singleton(_ version: V) -> Self {
        Self(normalized: [VersionInterval(lower: .included(version), upper: .included(version))])
    }
    /// Versions `>= v`.
    public static func atLeast(_ v: V) -> Self { Self(normalized: [VersionInterval(lower: .included(v), upper: .unbounded)]) }
    /// Versions `> v`.
    public static func greaterThan(_ v: V) -> Self { Self(normalized: [VersionInterval(lower: .excluded(v), upper: .unbounded)]) }
    /// Versions `< v`.
    public static func lessThan(_ v: V) -> Self { Self(normalized: [VersionInterval(lower: .unbounded, upper: .excluded(v))]) }
    /// Versions `<= v`.
    public static func atMost(_ v: V) -> Self { Self(normalized: [VersionInterval(lower: .unbounded, upper: .included(v))]) }
    /// Versions `>= low, < high`.
    public static func between(_ low: V, _ high: V) -> Self { Self([VersionInterval(lower: .included(low), upper: .excluded(high))]) }

    public func contains(_ version: V) -> Bool {
        intervals.contains { $0.contains(version) }
    }

    /// The single version this set holds, if it is a singleton.
    public var singletonValue: V? {
        guard intervals.count == 1, case .included(let l) = intervals[0].lower,
              case .included(let u) = intervals[0].upper, l == u else { return nil }
        return l
    }

    public func liesAbove(_ other: Self) -> Bool {
        guard let low = intervals.first?.lower, let high = other.intervals.last?.upper,
              let l = low.value, let h = high.value else { return false }
        if l != h { return l > h }
        if case .included = low, case .included = high { return false }
        return true
    }

    public var complement: Self {
        if intervals.isEmpty { return .full }
        var result: [VersionInterval<V>] = []
        var previousUpper: VersionBound<V> = .unbounded
        var first = true
        for interval in intervals {
            let lower: VersionBound<V>
            if first {
                first = false
                if case .unbounded = interval.lower {
                    previousUpper = interval.upper
                    continue
                }
                lower = .unbounded
            } else {
                lower = Self.flip(previousUpper)
            }
            result.append(VersionInterval(lower: lower, upper: Self.flip(interval.lower)))
            previousUpper = interval.upper
        }
        if case .unbounded = previousUpper {} else {
            result.append(VersionInterval(lower: Self.flip(previousUpper), upper: .unbounded))
        }
        return Self(normalized: result.filter(\.isValid))
    }

    public func intersection(_ other: Self) -> Self {
        var result: [VersionInterval<V>] = []
        var i = 0, j = 0
        while i < intervals.count && j < other.intervals.count {
            let a = intervals[i], b = other.intervals[j]
            let lower = Self.maxLower(a.lower, b.lower)
            let upper = Self.minUpper(a.upper, b.upper)
            let candidate = VersionInterval(lower: lower, upper: upper)
            if candidate.isValid { result.append(candidate) }
            if Self.upperLess(a.upper, b.upper) { i += 1 } else { j += 1 }
        }
        return Self(normalized: result)
    }

    // MARK: bound arithmetic

    private static func flip(_ bound: VersionBound<V>) -> VersionBound<V> {
        switch bound {
        case .unbounded: return .unbounded
        case .included(let v): return .excluded(v)
        case .excluded(let v): return .included(v)
        }
    }

    /// The tighter (larger) of two lower bounds.
    private static func maxLower(_ a: VersionBound<V>, _ b: VersionBound<V>) -> VersionBound<V> {
        guard let av = a.value else { return b }
        guard let bv = b.value else { return a }
        if av != bv { return av > bv ? a : b }
        if case .excluded = a { return a }
        return b
    }

    /// The tighter (smaller) of two upper bounds.
    private static func minUpper(_ a: VersionBound<V>, _ b: VersionBound<V>) -> VersionBound<V> {
        upperLess(a, b) ? a : b
    }

    /// Whether upper bound `a` ends strictly before upper bound `b`.
    private static func upperLess(_ a: VersionBound<V>, _ b: VersionBound<V>) -> Bool {
        guard let av = a.value else { return false }
        guard let bv = b.value else { return true }
        if av != bv { return av < bv }
        if case .excluded = a, case .included = b { return true }
        return false
    }

    /// Whether upper bound `upper` and lower bound `lower` leave no gap (the intervals touch or overlap).
    private static func touches(_ upper: VersionBound<V>, _ lower: VersionBound<V>) -> Bool {
        guard let uv = upper.value, let lv = lower.value else { return true }
        if lv < uv { return true }
        if lv > uv { return false }
        if case .excluded = upper, case .excluded = lower { return false }
        return true
    }

    private static func lowerLess(_ a: VersionBound<V>, _ b: VersionBound<V>) -> Bool {
        guard let bv = b.value else { return false }
        guard let av = a.value else { return true }
        if av != bv { return av < bv }
        if case .included = a, case .excluded = b { return true }
        return false
    }

    private static func normalize(_ intervals: [VersionInterval<V>]) -> [VersionInterval<V>] {
        let sorted = intervals.sorted { lowerLess($0.lower, $1.lower) }
        var result: [VersionInterval<V>] = []
        for interval in sorted {
            if var last = result.last, touches(last.upper, interval.lower) {
                if upperLess(last.upper, interval.upper) { last.upper = interval.upper }
                result[result.count - 1] = last
            } else {
                result.append(interval)
            }
        }
        return result
    }

    public var description: String {
        if intervals.isEmpty { return "∅" }
        return intervals.map { interval -> String in
            if let v = singletonValueOf(interval) { return "==\(v)" }
            var parts: [String] = []
            switch interval.lower {
            case .unbounded: break
            case .included(let v): parts.append(">=\(v)")
            case .excluded(let v): parts.append(">\(v)")
            }
            switch interval.upper {
            case .unbounded: break
            case .included(let v): parts.append("<=\(v)")
            case .excluded(let v): parts.append("<\(v)")
            }
            return parts.isEmpty ? "*" : parts.joined(separator: ", ")
        }.joined(separator: " | ")
    }

    private func singletonValueOf(_ interval: VersionInterval<V>) -> V? {
        if case .included(let l) = interval.lower, case .included(let u) = interval.upper, l == u { return l }
        return nil
    }
}
