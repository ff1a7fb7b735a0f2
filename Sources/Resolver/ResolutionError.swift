import PackagingStandards

/// Why a resolution did not produce a ``Resolution``. Messages say what to change.
public enum ResolutionError: Error, Sendable, CustomStringConvertible {
    /// No set of versions satisfies the requirements; `report` explains why, step by step.
    case noSolution(ConflictReport)
    /// Two requirements give the same project different direct references (URLs).
    case conflictingURLs(project: String, first: String, second: String)
    /// A requirement's marker could not be evaluated for the target.
    case markerEvaluation(requirement: String, reason: String)

    public var description: String {
        switch self {
        case .noSolution(let report):
            return "No solution found when resolving dependencies:\n" + report.message
        case .conflictingURLs(let project, let first, let second):
            return "\(project) is required from two different URLs (\(first) and \(second)); keep only one of them"
        case .markerEvaluation(let requirement, let reason):
            return "cannot evaluate the marker of '\(requirement)' for the target: \(reason)"
        }
    }
}

/// A resolution failure in words and in structure (the JSON-RPC error's `data`).
public struct ConflictReport: Sendable, Codable, Equatable {
    /// The explanation, one sentence per line.
    public var message: String
    /// The external facts the proof rests on, in the order they appear.
    public var facts: [ConflictFact]
}

/// One fact of a failed resolution.
public struct ConflictFact: Sendable, Codable, Equatable {
    /// `requirement`, `dependency`, `noVersions` or `unavailable`.
    public var kind: String
    /// The project (with `[extra]`), nil for the user's own requirements.
    public var package: String?
    /// The versions concerned (`==3.0.3`, `>=1.0, <2.0`, `*`).
    public var versions: String
    /// For dependencies: the requirement as written.
    public var dependency: String?
    /// For unusable versions: why.
    public var reason: String?
}
