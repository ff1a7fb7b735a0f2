// PEP 440 version specifiers: https://peps.python.org/pep-0440/#version-specifiers

/// Why a string is not a PEP 440 version specifier.
public enum SpecifierError: Error, Equatable, Sendable, CustomStringConvertible {
    case invalid(String)

    public var description: String {
        switch self {
        case .invalid(let text):
            return "Invalid specifier: '\(text)' (expected an operator ~=, ==, !=, <=, >=, <, >, === followed by a version, e.g. '>=1.2', '==1.4.*', '~=2.2')"
        }
    }
}

/// One PEP 440 version clause such as `>=1.2`, `==1.4.*`, `~=2.2.0` or `===foobar`.
///
/// Matching follows `packaging.specifiers.Specifier` (26.x) exactly, including the rules PEP 440
/// adds beyond plain ordering:
/// - `==V`/`!=V` without a local label ignore the candidate's local label; `==V.*`/`!=V.*`
///   match by release prefix (with zero padding) and include `V.dev0`-style pre-releases;
/// - `<=V` admits `V+local`;
/// - `>V` excludes `V`'s post-releases (and local variants) unless `V` is itself a post-release;
/// - `<V` excludes `V`'s pre-releases unless `V` is itself a pre-release;
/// - `~=V.N` means `>=V.N, ==V.*`;
/// - `===` compares the string case-insensitively.
public struct Specifier: Sendable, Hashable, CustomStringConvertible {
    /// The comparison operator.
    public enum Operator: String, Sendable, CaseIterable {
        case compatible = "~="
        case equal = "=="
        case notEqual = "!="
        case lessThanOrEqual = "<="
        case greaterThanOrEqual = ">="
        case lessThan = "<"
        case greaterThan = ">"
        case arbitrary = "==="
    }

    public let `operator`: Operator
    /// The version text as written, whitespace stripped (`1.4.*`, `v1.0`, or the `===` operand).
    public let versionText: String
    /// The parsed version (for wildcards, the prefix without `.*`); nil only for an `===`
    /// operand that is not a PEP 440 version.
    public let version: Version?
    /// `==V.*` or `!=V.*`.
    public let isWildcard: Bool
    /// The version text carries a `+local` label (`==` and `!=` only).
    public let hasLocal: Bool
    /// An explicit pre-release override; nil lets the specifier decide (see ``prereleases``).
    public var prereleaseOverride: Bool?
    /// Versions derived from ``version`` once, so matching allocates nothing: the exclusive
    /// bound of `<`, the inclusive lower bound of `>V.devN`/`>V.postN`, the lower and upper
    /// bounds of wildcards and the upper bound of `~=`.
    let lowerEdge: Version?
    let upperEdge: Version?

    /// Parses one clause, e.g. `">= 1.0"`; surrounding whitespace is ignored.
    public init(_ text: String, prereleases: Bool? = nil) throws(SpecifierError) {
        let scalars = Array(text.unicodeScalars)
        var start = 0
        while start < scalars.count, PythonText.isWhitespace(scalars[start]) { start += 1 }
        guard let match = SpecifierGrammar.match(scalars, at: start) else { throw .invalid(text) }
        var end = match.end
        while end < scalars.count, PythonText.isWhitespace(scalars[end]) { end += 1 }
        guard end == scalars.count else { throw .invalid(text) }
        self.operator = match.operator
        var versionStart = start + match.operator.rawValue.unicodeScalars.count
        while versionStart < match.end, PythonText.isWhitespace(scalars[versionStart]) { versionStart += 1 }
        let versionText = PythonText.string(scalars[versionStart..<match.end])
        self.versionText = versionText
        self.isWildcard = versionText.hasSuffix(".*")
        self.hasLocal = versionText.utf8.contains(UInt8(ascii: "+"))
        self.prereleaseOverride = prereleases
        if match.operator == .arbitrary {
            self.version = try? Version(versionText)
        } else {
            let core = isWildcard ? String(versionText.dropLast(2)) : versionText
            do {
                self.version = try Version(core)
            } catch {
                throw .invalid(text)
            }
        }
        if let version, Self.edgeOverflows(self.operator, version, isWildcard: isWildcard) {
            // The clause's bound is one past a component of 2^63-1: not representable here.
            throw .invalid(text)
        }
        (lowerEdge, upperEdge) = Self.edges(self.operator, version, isWildcard: isWildcard)
    }

    /// Whether computing the clause's edges would add one to a component already at `Int.max`.
    static func edgeOverflows(_ op: Operator, _ spec: Version, isWildcard: Bool) -> Bool {
        switch op {
        case .equal where isWildcard, .notEqual where isWildcard:
            return spec.release.last == Int.max
        case .compatible:
            return spec.release.dropLast().last == Int.max
        case .greaterThan:
            return spec.dev == Int.max || (spec.dev == nil && spec.post == Int.max)
        default:
            return false
        }
    }

    static func edges(_ op: Operator, _ spec: Version?, isWildcard: Bool) -> (Version?, Version?) {
        guard let spec else { return (nil, nil) }
        switch op {
        case .equal where isWildcard, .notEqual where isWildcard:
            return (Version(epoch: spec.epoch, release: spec.release, dev: 0), nextPrefixDev0(epoch: spec.epoch, release: spec.release))
        case .lessThan:
            return (nil, spec.isPrerelease ? spec : spec.replacing(dev: .some(0), local: .some(nil)))
        case .greaterThan:
            if let dev = spec.dev { return (spec.replacing(dev: .some(dev + 1), local: .some(nil)), nil) }
            if let post = spec.post { return (spec.replacing(post: .some(post + 1), dev: .some(0), local: .some(nil)), nil) }
            return (nil, nil)
        case .compatible:
            return (nil, nextPrefixDev0(epoch: spec.epoch, release: Array(spec.release.dropLast())))
        default:
            return (nil, nil)
        }
    }

    /// `operator` followed by the version text, e.g. `>=1.0`.
    public var description: String { "\(self.operator.rawValue)\(versionText)" }

    /// Whether this clause by itself asks for pre-releases (`packaging`'s `Specifier.prereleases`):
    /// the explicit override if any; `false` for `!=` and `==V.*`; otherwise whether the
    /// version named is a pre-release (nil for an unparsable `===` operand).
    public var prereleases: Bool? {
        if let prereleaseOverride { return prereleaseOverride }
        if self.operator == .notEqual { return false }
        if self.operator == .equal && isWildcard { return false }
        guard let version else { return nil }
        return version.isPrerelease
    }

    var effectiveDefaultPrereleases: Bool? {
        if let prereleaseOverride { return prereleaseOverride }
        return prereleases == true ? true : nil
    }

    /// Whether `version` satisfies this clause. With `prereleases == nil` a pre-release is
    /// accepted when it is in range (one candidate has no alternative; PEP 440), unless an
    /// explicit override says otherwise; `false` rejects every pre-release.
    public func contains(_ version: Version, prereleases: Bool? = nil) -> Bool {
        let policy = prereleases ?? effectiveDefaultPrereleases
        if policy == false && version.isPrerelease { return false }
        return admits(version)
    }

    /// String form: an unparsable string only ever matches `===`.
    public func contains(_ text: String, prereleases: Bool? = nil) -> Bool {
        let parsed = try? Version(text)
        let policy = prereleases ?? effectiveDefaultPrereleases
        if self.operator == .arbitrary {
            guard text.lowercased() == versionText.lowercased() else { return false }
            return !(policy == false && parsed?.isPrerelease == true)
        }
        guard let parsed else { return false }
        if policy == false && parsed.isPrerelease { return false }
        return admits(parsed)
    }

    /// Range membership without any pre-release policy.
    func admits(_ candidate: Version) -> Bool {
        guard let spec = version else {
            return candidate.description.lowercased() == versionText.lowercased()
        }
        switch self.operator {
        case .arbitrary:
            return candidate.description.lowercased() == versionText.lowercased()
        case .equal where isWildcard:
            return candidate >= lowerEdge! && candidate < upperEdge!
        case .notEqual where isWildcard:
            return !(candidate >= lowerEdge! && candidate < upperEdge!)
        case .equal:
            return hasLocal ? candidate == spec : candidate.publicKeyEquals(spec)
        case .notEqual:
            return hasLocal ? candidate != spec : !candidate.publicKeyEquals(spec)
        case .lessThanOrEqual:
            return candidate <= spec || candidate.publicKeyEquals(spec)
        case .greaterThanOrEqual:
            return candidate >= spec
        case .lessThan:
            return candidate < upperEdge!
        case .greaterThan:
            if let lowerEdge { return candidate >= lowerEdge }
            guard candidate > spec else { return false }
            // Exclude V's post-release family (V+local, V.postN...).
            return !(candidate.key.epoch == spec.key.epoch
                && candidate.key.release == spec.key.release
                && candidate.pre?.kind == spec.pre?.kind && candidate.pre?.number == spec.pre?.number)
        case .compatible:
            return candidate >= spec && candidate < upperEdge!
        }
    }

    /// Versions outside `lower ..< upper` (either side open when nil) are never admitted,
    /// whatever the pre-release policy: a cheap bound that lets a caller skip most of a long
    /// sorted version list before asking ``admits(_:)`` about the rest. Conservative: `<=V`,
    /// `!=`, `===` and the local versions `==V` admits give no bound on that side.
    var admittedBounds: (lower: Version?, upper: Version?) {
        guard let spec = version else { return (nil, nil) }
        switch self.operator {
        case .arbitrary, .notEqual, .lessThanOrEqual: return (nil, nil)
        case .equal where isWildcard: return (lowerEdge, upperEdge)
        // `==V` admits V and, without a local label of its own, V's local versions, which sort
        // after V: the same lower bound for both.
        case .equal, .greaterThanOrEqual: return (spec, nil)
        case .greaterThan: return (lowerEdge ?? spec, nil)
        case .lessThan: return (nil, upperEdge)
        case .compatible: return (spec, upperEdge)
        }
    }

    /// The smallest version of the next prefix: `1.2` → `1.3.dev0`.
    static func nextPrefixDev0(epoch: Int, release: [Int]) -> Version {
        var next = release
        next[next.count - 1] += 1
        return Version(epoch: epoch, release: next, dev: 0)
    }

    // MARK: Equality (packaging's canonical spec: prereleases override ignored)

    private var canonicalForm: String {
        guard self.operator != .arbitrary, !isWildcard, let version else { return description }
        if self.operator == .compatible { return "~=" + version.description }
        var release = version.release
        while release.count > 1 && release.last == 0 { release.removeLast() }
        return self.operator.rawValue + version.replacing(release: release).description
    }

    public static func == (lhs: Specifier, rhs: Specifier) -> Bool { lhs.canonicalForm == rhs.canonicalForm }
    public func hash(into hasher: inout Hasher) { hasher.combine(canonicalForm) }
}

/// The `packaging` specifier regular expression as a scanner over Unicode scalars: finds the
/// clause that starts at a position (used by ``Specifier`` and by the PEP 508 tokenizer).
enum SpecifierGrammar {
    struct Match {
        let `operator`: Specifier.Operator
        let end: Int
    }

    static func match(_ s: [Unicode.Scalar], at start: Int) -> Match? {
        func has(_ text: String, at i: Int) -> Bool {
            var j = i
            for c in text.unicodeScalars {
                guard j < s.count, s[j] == c else { return false }
                j += 1
            }
            return true
        }
        let op: Specifier.Operator
        if has("===", at: start) {
            var i = start + 3
            while i < s.count, PythonText.isWhitespace(s[i]) { i += 1 }
            let operandStart = i
            while i < s.count, !PythonText.isWhitespace(s[i]), s[i] != ";", s[i] != ")" { i += 1 }
            // The operand may be almost anything, but not nothing (`packaging` 26.4 on).
            guard i > operandStart else { return nil }
            return Match(operator: .arbitrary, end: i)
        } else if has("==", at: start) {
            op = .equal
        } else if has("!=", at: start) {
            op = .notEqual
        } else if has("~=", at: start) {
            op = .compatible
        } else if has("<=", at: start) {
            op = .lessThanOrEqual
        } else if has(">=", at: start) {
            op = .greaterThanOrEqual
        } else if has("<", at: start) {
            op = .lessThan
        } else if has(">", at: start) {
            op = .greaterThan
        } else {
            return nil
        }
        var i = start + op.rawValue.unicodeScalars.count
        while i < s.count, PythonText.isWhitespace(s[i]) { i += 1 }
        var bytes: [UInt8] = []
        var j = i
        while j < s.count, s[j].isASCII {
            bytes.append(UInt8(s[j].value))
            j += 1
        }
        var scanner = ByteScanner(bytes: bytes)
        let allowsLocal = op == .equal || op == .notEqual
        guard let version = try? scanner.scanVersion(original: "", allowLocal: allowsLocal) else { return nil }
        if op == .compatible && version.release.count < 2 { return nil }
        if allowsLocal, version.pre == nil, version.post == nil, version.dev == nil, version.localSegments == nil,
           scanner.peek() == UInt8(ascii: "."), scanner.peek(1) == UInt8(ascii: "*") {
            scanner.position += 2
        }
        return Match(operator: op, end: i + scanner.position)
    }
}
