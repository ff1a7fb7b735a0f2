// PEP 440 version specifier sets: https://peps.python.org/pep-0440/#version-specifiers

/// A comma-separated conjunction of ``Specifier`` clauses (`>=1.0, !=1.3.*, <2`), as found in
/// `Requires-Dist`, `Requires-Python` and requirement strings.
///
/// Pre-release handling follows `packaging.specifiers.SpecifierSet` (26.x):
/// - ``prereleases`` (the set's own opinion) is the explicit override, else `true` when any
///   clause names a pre-release (`>=1.0b1`; not `!=` or `==X.*`), else nil;
/// - ``contains(_:prereleases:)`` on a single version accepts an in-range pre-release unless
///   `prereleases` (the argument, else the explicit override) is `false`;
/// - ``filter(_:prereleases:)`` with no opinion applies PEP 440's default: pre-releases only when
///   no final release matches. A resolver that wants "pre-releases only when named or asked"
///   should pass `prereleases: asked ?? (set.prereleases ?? false)` to ``contains``.
public struct SpecifierSet: Sendable, Hashable, CustomStringConvertible, Sequence {
    public let specifiers: [Specifier]
    /// An explicit pre-release override for the whole set.
    public var prereleaseOverride: Bool?
    /// Whether any clause is an `===` (from the source text, as `packaging` decides it).
    let hasArbitrary: Bool

    /// Parses `">=1.0, <2"`; empty clauses (`""`, `",,"`) are allowed and ignored.
    public init(_ text: String, prereleases: Bool? = nil) throws(SpecifierError) {
        var specs: [Specifier] = []
        for piece in text.split(separator: ",", omittingEmptySubsequences: false) {
            let trimmed = PythonText.strip(piece)
            if trimmed.isEmpty { continue }
            specs.append(try Specifier(String(trimmed)))
        }
        specifiers = specs
        prereleaseOverride = prereleases
        hasArbitrary = specs.contains { $0.operator == .arbitrary }
    }

    public init(_ specifiers: [Specifier], prereleases: Bool? = nil) {
        self.specifiers = specifiers
        self.prereleaseOverride = prereleases
        self.hasArbitrary = specifiers.contains { $0.operator == .arbitrary }
    }

    /// The empty set, which every version satisfies.
    public static let any = SpecifierSet([Specifier]())

    public var isEmpty: Bool { specifiers.isEmpty }
    public func makeIterator() -> IndexingIterator<[Specifier]> { specifiers.makeIterator() }

    /// Clauses sorted by their text and deduplicated, joined by commas (`packaging`'s `str()`).
    public var description: String {
        var seen: [Specifier] = []
        for spec in specifiers.sorted(by: { $0.description < $1.description }) where !seen.contains(spec) {
            seen.append(spec)
        }
        return seen.map(\.description).joinedPlainly(separator: ",")
    }

    /// The set's own pre-release opinion (see the type documentation).
    public var prereleases: Bool? {
        if let prereleaseOverride { return prereleaseOverride }
        if specifiers.isEmpty { return nil }
        return specifiers.contains { $0.prereleases == true } ? true : nil
    }

    /// Whether `version` satisfies every clause; see the type documentation for `prereleases`.
    public func contains(_ version: Version, prereleases: Bool? = nil) -> Bool {
        let policy = prereleases ?? prereleaseOverride
        if policy == false && version.isPrerelease { return false }
        // By index: `allSatisfy` hands each clause over as a copy (a retain and release per
        // string and version in it), and resolving tests each listed version of a long page.
        for index in specifiers.indices where !specifiers[index].admits(version) { return false }
        return true
    }

    /// Versions outside `lower ..< upper` (either side open when nil) are never contained,
    /// whatever the pre-release policy: the tightest of the clauses' bounds. Lets a caller walking
    /// a long ascending version list ask ``contains(_:prereleases:)`` only about the versions
    /// inside.
    public var admittedBounds: (lower: Version?, upper: Version?) {
        var bounds: (lower: Version?, upper: Version?) = (nil, nil)
        for index in specifiers.indices {
            let (lower, upper) = specifiers[index].admittedBounds
            if let lower, bounds.lower.map({ lower > $0 }) ?? true { bounds.lower = lower }
            if let upper, bounds.upper.map({ upper < $0 }) ?? true { bounds.upper = upper }
        }
        return bounds
    }

    /// The resolver's rule: a pre-release is acceptable only when `prereleasesRequested` or when
    /// the set itself names a pre-release (``prereleases`` is `true`, e.g. `>=2.0b1`).
    public func admits(_ version: Version, prereleasesRequested: Bool = false) -> Bool {
        contains(version, prereleases: prereleasesRequested || prereleases == true)
    }

    /// String form: keeps the raw text for `===` clauses; an unparsable string matches only an
    /// empty set or a set whose clauses are all `===` equal to it.
    public func contains(_ text: String, prereleases: Bool? = nil) -> Bool {
        let parsed = try? Version(text)
        if let parsed, !hasArbitrary { return contains(parsed, prereleases: prereleases) }
        let policy = prereleases ?? self.prereleases
        let matched: Bool
        if specifiers.isEmpty {
            matched = true
        } else if hasArbitrary {
            matched = specifiers.allSatisfy { $0.contains(text, prereleases: true) }
        } else {
            matched = false  // unparsable and no === clause
        }
        guard matched else { return false }
        return !(policy == false && parsed?.isPrerelease == true)
    }

    /// The versions that satisfy the set, in input order. With no pre-release opinion
    /// (argument and ``prereleases`` both nil), pre-releases are returned only when no final
    /// release matches (PEP 440).
    public func filter(_ versions: [Version], prereleases: Bool? = nil) -> [Version] {
        filter(versions, version: { $0 }, prereleases: prereleases)
    }

    /// ``filter(_:prereleases:)`` for items carrying a version.
    public func filter<Item>(_ items: [Item], version: (Item) -> Version, prereleases: Bool? = nil) -> [Item] {
        let policy = prereleases ?? self.prereleases
        let matched = items.filter { item in specifiers.allSatisfy { spec in spec.admits(version(item)) } }
        switch policy {
        case .some(true):
            return matched
        case .some(false):
            return matched.filter { !version($0).isPrerelease }
        case .none:
            let finals = matched.filter { !version($0).isPrerelease }
            return finals.isEmpty ? matched : finals
        }
    }

    /// The conjunction of two sets (`packaging`'s `&`).
    public static func & (lhs: SpecifierSet, rhs: SpecifierSet) -> SpecifierSet {
        SpecifierSet(lhs.specifiers + rhs.specifiers, prereleases: lhs.prereleaseOverride ?? rhs.prereleaseOverride)
    }

    public static func == (lhs: SpecifierSet, rhs: SpecifierSet) -> Bool {
        Set(lhs.specifiers) == Set(rhs.specifiers)
    }

    public func hash(into hasher: inout Hasher) { hasher.combine(Set(specifiers)) }
}
