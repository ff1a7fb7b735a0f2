/// One pinned project of a ``Resolution``.
public struct ResolvedPackage: Sendable, Codable, Equatable {
    /// Canonical name (PEP 503).
    public var name: String
    /// The PEP 440 version chosen.
    public var version: String
    /// The file the pin stands for: the direct reference the user gave, else the chosen wheel or
    /// sdist on the index.
    public var url: String?
    /// Whether ``url`` is a direct reference (`name @ url`) rather than an index file.
    public var isDirectReference: Bool
    /// Canonical names of the projects it needs (with the extras used), sorted.
    public var requires: [String]
    /// The extras of it that were requested somewhere, sorted.
    public var extrasUsed: [String]

    public init(
        name: String, version: String, url: String? = nil, isDirectReference: Bool = false, requires: [String] = [],
        extrasUsed: [String] = []
    ) {
        self.name = name
        self.version = version
        self.url = url
        self.isDirectReference = isDirectReference
        self.requires = requires
        self.extrasUsed = extrasUsed
    }
}

/// How a resolution went.
public struct ResolutionStatistics: Sendable, Codable, Equatable {
    public var decisions = 0
    public var conflicts = 0
    public var backtracks = 0
    /// Versions whose dependencies the solver read.
    public var versionsExamined = 0
    public var prefetch = PrefetchStatistics()
    public var seconds = 0.0
    public init() {}
}

/// The outcome of a successful resolution: a pin per project, sorted by name
/// (what `uv pip compile` writes to a requirements file).
public struct Resolution: Sendable, Codable, Equatable {
    public var packages: [ResolvedPackage]
    public var statistics: ResolutionStatistics

    public init(packages: [ResolvedPackage], statistics: ResolutionStatistics = ResolutionStatistics()) {
        self.packages = packages.sorted { $0.name < $1.name }
        self.statistics = statistics
    }

    /// `name==version` lines (or `name @ url`), as in a compiled requirements file.
    public var pins: [String] {
        packages.map { package in
            if package.isDirectReference, let url = package.url { return "\(package.name) @ \(url)" }
            return "\(package.name)==\(package.version)"
        }
    }
}
