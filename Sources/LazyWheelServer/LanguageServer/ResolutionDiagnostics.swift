import DependencyDocuments
import Foundation
import LazyWheelCore
import PackageIndex
import Resolver
import WorkScheduling

/// The "does this set resolve?" diagnostic: the document's runtime dependencies (requirement lines
/// of a requirements file, `[project] dependencies`, the main `[tool.poetry.dependencies]`) are
/// resolved for the session's target, and a conflict is reported with the resolver's explanation.
enum ResolutionDiagnostics {
    /// Whether an occurrence belongs to the set that is installed together.
    static func isRuntime(_ occurrence: DependencyOccurrence) -> Bool {
        guard !occurrence.isConstraint, occurrence.requirement != nil else { return false }
        switch occurrence.section {
        case .requirementsFile, .projectDependencies, .poetry(group: nil): return true
        default: return false
        }
    }

    /// A diagnostic on the first runtime dependency when the set has no solution; nil when it
    /// resolves, when there is nothing to resolve, or when the resolution could not run (those
    /// problems are reported per dependency already).
    static func conflict(
        in document: OpenDocument, scope: LookupScope, session: ServerSession, cancellation: CancellationToken
    ) -> Diagnostic? {
        let occurrences = document.dependencies?.occurrences ?? []
        let runtime = occurrences.filter(isRuntime)
        guard let first = runtime.first else { return nil }
        var input = ResolutionInput()
        input.requirements = runtime.compactMap { $0.requirement?.description }
        input.constraints = occurrences.filter { $0.isConstraint }.compactMap { $0.requirement?.description }
        // A requirements file on disk: its `-r` includes and `-c` constraints count, as for pip.
        if case .requirements(isConstraints: false)? = document.dependencies?.kind,
           let url = URL(string: document.uri), url.isFileURL,
           let file = try? RequirementsFile.parse(text: document.text, file: url.path, environment: ProcessEnvironment.variables)
        {
            input.requirements = file.requirements.map(\.description)
            input.constraints = file.constraints.map(\.description)
        }
        input.python = scope.python
        input.platform = scope.platform.description
        do {
            _ = try ResolutionService(engine: session.engine, environment: session.environment)
                .resolve(input, sessionIndex: try scope.projectIndex(), cancellation: cancellation)
            return nil
        } catch ResolutionError.noSolution(let report) {
            return Diagnostic(
                range: LSPRange(first.range), severity: .error, code: "unresolvable",
                message: "these dependencies cannot be installed together:\n" + report.message)
        } catch {
            session.log(.info, "resolution check skipped: \(error)")
            return nil
        }
    }
}
