// PEP 508 environment markers: https://peps.python.org/pep-0508/#environment-markers
// Extra-name comparison: PEP 685.

/// Why a marker could not be evaluated (mirrors `packaging.markers`' exceptions).
public enum MarkerEvaluationError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The operator is not defined for these operands (e.g. `os_name ~= "x"`, or `===`/`~=` on
    /// a version variable whose other side is not a valid specifier).
    case undefinedComparison(String)
    /// The marker names a variable the environment does not provide.
    case undefinedEnvironmentName(String)

    public var description: String {
        switch self {
        case .undefinedComparison(let what):
            return "Undefined comparison in marker: \(what)"
        case .undefinedEnvironmentName(let name):
            return "Marker uses '\(name)', which the target environment does not define; set it in the MarkerEnvironment"
        }
    }
}

/// A parsed PEP 508 environment marker such as
/// `python_version >= "3.8" and (sys_platform == "linux" or extra == "test")`.
///
/// Parsing, normalization of `extra` literals (PEP 685), the string form and evaluation all
/// follow `packaging.markers.Marker` (26.x): `and` binds tighter than `or`; for
/// `python_version`, `python_full_version`, `implementation_version` and `platform_release` the
/// comparison is a PEP 440 specifier check (`Specifier(op + rhs).contains(lhs,
/// prereleases: true)`) whenever `op + rhs` is a valid specifier, otherwise (and for every other
/// variable) a string comparison where `<`/`>` are false and `<=`/`>=` mean equality; `in` /
/// `not in` are substring tests.
public struct Marker: Sendable, Hashable, CustomStringConvertible {
    let nodes: [MarkerNode]

    /// Parses a marker expression; throws ``DependencySyntaxError`` with the offending offset.
    public init(_ text: String) throws(DependencySyntaxError) {
        nodes = Self.normalizeExtras(try DependencySpecifierParser.parseMarker(text))
    }

    init(nodes: [MarkerNode]) {
        self.nodes = Self.normalizeExtras(nodes)
    }

    /// `self and other`.
    public static func && (lhs: Marker, rhs: Marker) -> Marker {
        Marker(nodes: [.group(lhs.nodes), .and, .group(rhs.nodes)])
    }

    /// `self or other`.
    public static func || (lhs: Marker, rhs: Marker) -> Marker {
        Marker(nodes: [.group(lhs.nodes), .or, .group(rhs.nodes)])
    }

    /// The normalized string form (`packaging`'s `str(Marker)`): double-quoted values,
    /// single spaces, redundant parentheses removed.
    public var description: String { Self.format(nodes, first: true) }

    public static func == (lhs: Marker, rhs: Marker) -> Bool { lhs.description == rhs.description }
    public func hash(into hasher: inout Hasher) { hasher.combine(description) }

    /// Evaluates against `environment` with `extra` set to `extra` (PEP 685-normalized) or `""`.
    public func evaluate(_ environment: MarkerEnvironment, extra: String? = nil) throws(MarkerEvaluationError) -> Bool {
        try Self.evaluate(nodes, environment, extra: extra.map(canonicalName) ?? "")
    }

    /// True when the marker holds with no extra, or with any of `extras` (how an installer
    /// decides whether a `Requires-Dist` entry applies when the user asked for `extras`).
    /// Inlinable, so that the caller's collection type is known where it is iterated.
    @inlinable
    public func evaluate(_ environment: MarkerEnvironment, extras: some Collection<String>) throws(MarkerEvaluationError) -> Bool {
        if try evaluate(environment) { return true }
        for extra in extras where try evaluate(environment, extra: extra) { return true }
        return false
    }

    /// Names of the extras this marker tests with `extra == "..."` (normalized).
    public var referencedExtras: Set<String> {
        var out = Set<String>()
        func walk(_ nodes: [MarkerNode]) {
            for node in nodes {
                switch node {
                case .group(let inner): walk(inner)
                case .item(.variable("extra"), _, .value(let v)), .item(.value(let v), _, .variable("extra")): out.insert(v)
                default: break
                }
            }
        }
        walk(nodes)
        return out
    }

    // MARK: Internals

    static let versionVariables: Set<String> = ["implementation_version", "platform_release", "python_full_version", "python_version"]

    static func normalizeExtras(_ nodes: [MarkerNode]) -> [MarkerNode] {
        nodes.map { node in
            switch node {
            case .group(let inner):
                return .group(normalizeExtras(inner))
            case .item(.variable("extra"), let op, .value(let v)):
                return .item(.variable("extra"), op, .value(canonicalName(v)))
            case .item(.value(let v), let op, .variable("extra")):
                return .item(.value(canonicalName(v)), op, .variable("extra"))
            case .item(.value(let v), let op, .variable(let name)) where name == "extras" || name == "dependency_groups":
                return .item(.value(canonicalName(v)), op, .variable(name))
            default:
                return node
            }
        }
    }

    static func format(_ nodes: [MarkerNode], first: Bool) -> String {
        if nodes.count == 1 {
            switch nodes[0] {
            case .group(let inner): return format(inner, first: first)
            case .item: return format(node: nodes[0])
            default: break
            }
        }
        let inner = nodes.map { format(node: $0) }.joined(separator: " ")
        return first ? inner : "(\(inner))"
    }

    static func format(node: MarkerNode) -> String {
        switch node {
        case .item(let l, let op, let r): return "\(l.serialized) \(op.rawValue) \(r.serialized)"
        case .group(let inner): return format(inner, first: false)
        case .and: return "and"
        case .or: return "or"
        }
    }

    static func evaluate(_ nodes: [MarkerNode], _ env: MarkerEnvironment, extra: String) throws(MarkerEvaluationError) -> Bool {
        // Like packaging: evaluate every atom (errors surface even where short-circuiting would
        // skip them), then OR together the AND-groups.
        var groups: [[Bool]] = [[]]
        for node in nodes {
            switch node {
            case .group(let inner):
                groups[groups.count - 1].append(try evaluate(inner, env, extra: extra))
            case .item(let lhs, let op, let rhs):
                groups[groups.count - 1].append(try evaluateItem(lhs, op, rhs, env, extra: extra))
            case .or:
                groups.append([])
            case .and:
                break
            }
        }
        return groups.contains { $0.allSatisfy { $0 } }
    }

    static func lookup(_ key: String, _ env: MarkerEnvironment, extra: String) throws(MarkerEvaluationError) -> String {
        if key == "extra" { return extra }
        guard let value = env.values[key] else { throw .undefinedEnvironmentName(key) }
        if key == "python_full_version" && value.hasSuffix("+") { return value + "local" }
        return value
    }

    static func evaluateItem(
        _ lhs: MarkerOperand, _ op: MarkerOperator, _ rhs: MarkerOperand, _ env: MarkerEnvironment, extra: String
    ) throws(MarkerEvaluationError) -> Bool {
        let key: String, left: String, right: String
        switch (lhs, rhs) {
        case (.variable(let name), .variable(let other)), (.variable(let name), .value(let other)):
            key = name
            left = try lookup(name, env, extra: extra)
            right = other
        case (.value(let literal), .variable(let name)), (.value(let literal), .value(let name)):
            key = name
            left = literal
            right = try lookup(name, env, extra: extra)
        }
        if versionVariables.contains(key), let spec = try? Specifier(op.rawValue + right) {
            return spec.contains(left, prereleases: true)
        }
        switch op {
        case .in: return right.isEmptyOrContains(left)
        case .notIn: return !right.isEmptyOrContains(left)
        case .lessThan, .greaterThan: return false
        case .lessThanOrEqual, .equal, .greaterThanOrEqual: return left.unicodeScalars.elementsEqual(right.unicodeScalars)
        case .notEqual: return !left.unicodeScalars.elementsEqual(right.unicodeScalars)
        case .compatible, .arbitrary:
            throw .undefinedComparison("'\(op.rawValue)' on '\(left)' and '\(right)'")
        }
    }
}

extension String {
    /// Python's `needle in self` for strings (code-point substring; the empty string is in everything).
    func isEmptyOrContains(_ needle: String) -> Bool {
        if needle.isEmpty { return true }
        let hay = Array(unicodeScalars), n = Array(needle.unicodeScalars)
        guard n.count <= hay.count else { return false }
        for start in 0...(hay.count - n.count) where hay[start] == n[0] {
            if Array(hay[start..<(start + n.count)]) == n { return true }
        }
        return false
    }
}
