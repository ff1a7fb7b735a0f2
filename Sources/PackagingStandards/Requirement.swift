// PEP 508 dependency specifiers: https://peps.python.org/pep-0508/

/// Why a requirement string is invalid.
public enum RequirementError: Error, Equatable, Sendable, CustomStringConvertible {
    case syntax(DependencySyntaxError)
    case specifier(SpecifierError)

    public var description: String {
        switch self {
        case .syntax(let e): return "Invalid requirement: \(e)"
        case .specifier(let e): return "Invalid requirement: \(e)"
        }
    }
}

/// A PEP 508 requirement: `name[extra1,extra2] (>=1.0,<2) ; marker` or `name @ url ; marker`.
///
/// Parsing follows `packaging.requirements.Requirement` (26.x) so the same strings are
/// accepted; ``description`` reproduces its `str()` (extras sorted, specifier clauses sorted,
/// marker normalized), which parses back to an equal requirement.
public struct Requirement: Sendable, Hashable, CustomStringConvertible {
    /// The project name as written.
    public var name: String
    /// Extras as written (deduplicated, sorted).
    public var extras: [String]
    public var specifier: SpecifierSet
    /// The direct reference of `name @ url`, as written.
    public var url: String?
    public var marker: Marker?

    public init(_ text: String) throws(RequirementError) {
        let parsed: ParsedRequirement
        do {
            parsed = try DependencySpecifierParser.parseRequirement(text)
        } catch {
            throw .syntax(error)
        }
        name = parsed.name
        extras = Array(Set(parsed.extras)).sorted { $0.unicodeScalars.lexicographicallyPrecedes($1.unicodeScalars) }
        do {
            specifier = try SpecifierSet(parsed.specifier)
        } catch {
            throw .specifier(error)
        }
        url = parsed.url.isEmpty ? nil : parsed.url
        marker = parsed.marker.map { Marker(nodes: $0) }
    }

    public init(name: String, extras: [String] = [], specifier: SpecifierSet = .any, url: String? = nil, marker: Marker? = nil) {
        self.name = name
        self.extras = extras
        self.specifier = specifier
        self.url = url
        self.marker = marker
    }

    /// PEP 503 normalized ``name``.
    public var canonicalName: String { ProjectName.canonical(name) }
    /// PEP 685 normalized ``extras``.
    public var normalizedExtras: Set<String> { Set(extras.map(ProjectName.normalizedExtra)) }

    public var description: String {
        var out = name
        if !extras.isEmpty { out += "[\(extras.joined(separator: ","))]" }
        if !specifier.isEmpty { out += specifier.description }
        if let url {
            out += " @ \(url)"
            if marker != nil { out += " " }
        }
        if let marker { out += "; \(marker)" }
        return out
    }

    /// Whether this requirement applies in `environment` when the dependent was installed
    /// with `extras` (no marker: always).
    public func applies(in environment: MarkerEnvironment, extras requested: some Collection<String> = [String]()) throws(MarkerEvaluationError) -> Bool {
        guard let marker else { return true }
        return try marker.evaluate(environment, extras: requested)
    }

    public static func == (lhs: Requirement, rhs: Requirement) -> Bool {
        lhs.canonicalName == rhs.canonicalName && lhs.normalizedExtras == rhs.normalizedExtras
            && lhs.specifier == rhs.specifier && lhs.url == rhs.url && lhs.marker == rhs.marker
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(canonicalName)
        hasher.combine(normalizedExtras)
        hasher.combine(specifier)
        hasher.combine(url)
        hasher.combine(marker)
    }
}
