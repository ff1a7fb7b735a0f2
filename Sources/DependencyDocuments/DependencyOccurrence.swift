import PackagingStandards
import TOML

/// Where in a dependency document a requirement was written.
public enum DependencySection: Sendable, Hashable, CustomStringConvertible {
    /// A requirement line of a pip requirements or constraints file ("Requirements File Format").
    case requirementsFile
    /// `[project] dependencies` (PEP 621).
    case projectDependencies
    /// `[project.optional-dependencies] <extra>` (PEP 621).
    case optionalDependencies(extra: String)
    /// `[dependency-groups] <group>` (PEP 735).
    case dependencyGroup(String)
    /// `[build-system] requires` (PEP 518).
    case buildSystemRequires
    /// `[tool.poetry.dependencies]` (group nil), `[tool.poetry.dev-dependencies]` ("dev") or
    /// `[tool.poetry.group.<name>.dependencies]`.
    case poetry(group: String?)
    /// `[tool.uv] dev-dependencies`, `constraint-dependencies` or `override-dependencies`.
    case uv(key: String)

    public var description: String {
        switch self {
        case .requirementsFile: "requirements file"
        case .projectDependencies: "[project] dependencies"
        case .optionalDependencies(let extra): "[project.optional-dependencies] \(extra)"
        case .dependencyGroup(let group): "[dependency-groups] \(group)"
        case .buildSystemRequires: "[build-system] requires"
        case .poetry(let group): group.map { "[tool.poetry.group.\($0).dependencies]" } ?? "[tool.poetry.dependencies]"
        case .uv(let key): "[tool.uv] \(key)"
        }
    }
}

/// One dependency written in a document: the PEP 508 requirement (or why it does not parse), and
/// the source ranges an editor needs (LSP positions: zero-based line, UTF-16 column).
public struct DependencyOccurrence: Sendable, Hashable {
    /// The PEP 508 text that was parsed (for poetry entries, the equivalent built from the key and
    /// the converted constraint).
    public var text: String
    /// The parsed requirement; nil when ``parseError`` says why not.
    public var requirement: Requirement?
    /// Why ``text`` is not a valid PEP 508 requirement (or a poetry constraint could not be converted).
    public var parseError: String?
    /// The project name as written (read even when the rest does not parse).
    public var name: String
    /// The whole requirement: a requirements-file line's requirement part, a TOML string's
    /// contents, or a poetry entry from its key to the end of its value.
    public var range: SourceRange
    /// The project name.
    public var nameRange: SourceRange
    /// The version constraint as written (`>=2,<3` or poetry's `^1.2`), when there is one and its
    /// position is known.
    public var constraintRange: SourceRange?
    /// Where it came from.
    public var section: DependencySection
    /// Whether the file is a constraints file (or the entry is a uv constraint/override): it limits
    /// versions without asking for the project.
    public var isConstraint: Bool

    public init(
        text: String, requirement: Requirement?, parseError: String?, name: String, range: SourceRange,
        nameRange: SourceRange, constraintRange: SourceRange?, section: DependencySection, isConstraint: Bool = false
    ) {
        self.text = text
        self.requirement = requirement
        self.parseError = parseError
        self.name = name
        self.range = range
        self.nameRange = nameRange
        self.constraintRange = constraintRange
        self.section = section
        self.isConstraint = isConstraint
    }

    /// Parses `text` as PEP 508, filling ``requirement`` or ``parseError``.
    static func parse(_ text: String) -> (Requirement?, String?) {
        do {
            return (try Requirement(text), nil)
        } catch {
            return (nil, Self.firstLine(of: error.description))
        }
    }

    private static func firstLine(of message: String) -> String {
        message.split(separator: "\n", omittingEmptySubsequences: true).first.map(String.init) ?? message
    }
}

/// A line of a requirements file that is an option, not a requirement (`-r other.txt`,
/// `--index-url URL`, `-e path`, `--pre`), with where its value is written.
public struct RequirementsOption: Sendable, Hashable {
    /// The option as written, long or short (`-r`, `--requirement`, `--index-url`).
    public var name: String
    /// Its value (`other.txt`), when it takes one.
    public var value: String?
    public var range: SourceRange
    public var valueRange: SourceRange?
}

/// A PEP 735 `{include-group = "name"}` entry.
public struct GroupInclude: Sendable, Hashable {
    /// The group that includes.
    public var group: String
    /// The group included.
    public var included: String
    public var range: SourceRange
}

/// A problem with the document itself (not one requirement): invalid TOML, a wrong type where an
/// array of requirement strings was expected, an `{include-group}` naming no group.
public struct DocumentProblem: Sendable, Hashable, CustomStringConvertible {
    public var message: String
    public var range: SourceRange

    public var description: String { "\(range.start): \(message)" }
}

/// The kinds of documents that list dependencies.
public enum DependencyDocumentKind: Sendable, Hashable {
    /// pip requirements or constraints files: `requirements*.txt`, `*.in`, `constraints*.txt`.
    case requirements(isConstraints: Bool)
    /// `pyproject.toml` (PEP 518, 621, 735, poetry, uv).
    case pyproject

    /// The kind a file name (or URI / path) implies; nil for files that are neither. Recognized
    /// as pip and uv users name them: `requirements*.txt`, `*requirements.txt`, any `*.txt` or
    /// `*.in` in a `requirements/` directory, `requirements-*.in` and other `*.in` files,
    /// `constraints*.txt`, and `pyproject.toml`.
    public static func detect(fileName: String) -> DependencyDocumentKind? {
        let components = fileName.split(separator: "/").map { $0.lowercased() }
        let base = components.last ?? fileName.lowercased()
        let directory = components.count > 1 ? components[components.count - 2] : ""
        if base == "pyproject.toml" { return .pyproject }
        let isConstraints = base.hasPrefix("constraint")
        if base.hasSuffix(".in") { return .requirements(isConstraints: isConstraints) }
        guard base.hasSuffix(".txt") else { return nil }
        if base.contains("requirement") || isConstraints || directory.hasPrefix("requirement") || directory.hasPrefix("constraint") {
            return .requirements(isConstraints: isConstraints || directory.hasPrefix("constraint"))
        }
        return nil
    }
}

/// A bare path or URL of a wheel or sdist on a requirements-file line (a direct reference without
/// a name, like `./dist/pkg-1.0-py3-none-any.whl`).
public struct RequirementsLocation: Sendable, Hashable {
    /// The location as written, after `${VAR}` expansion.
    public var text: String
    public var range: SourceRange
}

/// A setting written in the document, with where (for hover and "where did this come from").
public struct DocumentSetting: Sendable, Hashable {
    public var value: String
    public var range: SourceRange
    /// How the document spells it: `--index-url`, `[tool.uv] index-url`, `[[tool.uv.index]]`.
    public var key: String
}

/// The package indexes a document itself names, as pip (requirements-file options) and uv
/// (`[tool.uv]` `index-url`, `extra-index-url`, `find-links`, `[[tool.uv.index]]`) read them.
public struct DocumentIndexSettings: Sendable, Hashable {
    public var indexURL: DocumentSetting?
    public var extraIndexURLs: [DocumentSetting] = []
    public var findLinks: [DocumentSetting] = []
    /// `--no-index`: only find-links locations.
    public var noIndex = false

    public init() {}

    public var isEmpty: Bool { indexURL == nil && extraIndexURLs.isEmpty && findLinks.isEmpty && !noIndex }
}

/// The dependencies of one document, as every editor integration sees them.
public struct DependencyDocument: Sendable {
    public var kind: DependencyDocumentKind
    public var occurrences: [DependencyOccurrence]
    /// Option lines of a requirements file.
    public var options: [RequirementsOption]
    /// Bare paths and URLs of archives on requirements-file lines.
    public var locations: [RequirementsLocation]
    /// `{include-group}` entries of a pyproject.toml.
    public var groupIncludes: [GroupInclude]
    public var problems: [DocumentProblem]
    /// The indexes the document names (requirements-file options, `[tool.uv]`).
    public var indexSettings: DocumentIndexSettings
    /// `[project] requires-python` (PEP 621) of a pyproject.toml.
    public var requiresPython: DocumentSetting?

    /// Parses `text` as a document of `kind`. Never throws: problems are collected in ``problems``.
    /// `environment` expands `${NAME}` in requirements files, as pip does.
    public init(kind: DependencyDocumentKind, text: String, environment: [String: String] = [:]) {
        self.kind = kind
        switch kind {
        case .requirements(let isConstraints):
            let parsed = RequirementsFileParser(text: text, isConstraints: isConstraints, environment: environment).parse()
            occurrences = parsed.occurrences
            options = parsed.options
            locations = parsed.locations
            groupIncludes = []
            problems = parsed.problems
            indexSettings = RequirementsFileParser.indexSettings(of: parsed.options)
            requiresPython = nil
        case .pyproject:
            let parsed = PyprojectParser(text: text).parse()
            occurrences = parsed.occurrences
            options = []
            locations = []
            groupIncludes = parsed.includes
            problems = parsed.problems
            indexSettings = parsed.indexSettings
            requiresPython = parsed.requiresPython
        }
    }

    /// Parses a document, guessing its kind from `fileName`; nil when the name is not a dependency document.
    public init?(fileName: String, text: String, environment: [String: String] = [:]) {
        guard let kind = DependencyDocumentKind.detect(fileName: fileName) else { return nil }
        self.init(kind: kind, text: text, environment: environment)
    }

    /// The occurrence at a position (zero-based line, UTF-16 column), if the position is inside one.
    public func occurrence(atLine line: Int, utf16Column: Int) -> DependencyOccurrence? {
        occurrences.first { $0.range.contains(line: line, utf16Column: utf16Column) }
    }
}
