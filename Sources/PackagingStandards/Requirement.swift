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

    /// The extra (PEP 685-normalized) that the requirement line `text` applies for and nothing
    /// else, when its whole marker is `extra == "name"` (or `'name'`), as build backends write the
    /// optional dependencies of an extra; nil for any other line, parsed or not.
    ///
    /// Found by reading the end of the line, without parsing it: a project's METADATA lists most
    /// of its `Requires-Dist` lines for extras nobody asked for, and a resolver need not parse
    /// those. Such a line never applies without an extra (`extra` is then `""`, and `name` is
    /// not empty), and applies with extras only when one of them is `name`; but whether it parses
    /// at all is only known by parsing it. After a URL (`name @ url`) the `;` must follow
    /// whitespace, as PEP 508 asks, or it belongs to the URL.
    public static func onlyExtra(ofLine text: String) -> String? {
        var bytes = text.utf8[...]
        func dropTrailingSpace() { while let last = bytes.last, last == 0x20 || last == 0x09 { bytes.removeLast() } }
        func dropSuffix(_ literal: String) -> Bool {
            guard bytes.reversed().starts(with: literal.utf8.reversed()) else { return false }
            bytes.removeLast(literal.utf8.count)
            return true
        }
        dropTrailingSpace()
        guard let quote = bytes.popLast(), quote == UInt8(ascii: "\"") || quote == UInt8(ascii: "'"),
              let opening = bytes.lastIndex(of: quote) else { return nil }
        let name = bytes[bytes.index(after: opening)...]
        guard !name.isEmpty, name.allSatisfy({ byte in
            (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
                || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ".")
        }) else { return nil }
        bytes = bytes[..<opening]
        dropTrailingSpace()
        guard dropSuffix("==") else { return nil }
        dropTrailingSpace()
        guard dropSuffix("extra") else { return nil }
        dropTrailingSpace()
        // `;` right before the name `extra`, past spaces: not `myextra`.
        guard bytes.popLast() == UInt8(ascii: ";") else { return nil }
        if bytes.contains(UInt8(ascii: "@")), !(bytes.last.map { $0 == 0x20 || $0 == 0x09 } ?? false) { return nil }
        return ProjectName.normalizedExtra(String(decoding: name, as: UTF8.self))
    }
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
