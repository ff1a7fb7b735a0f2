import Foundation
import JSONRPC
import LazyWheelCore
import PackageIndex
import PackagingStandards
import WorkScheduling

/// What the editor features know about one project for one specifier: the lookup's answer or why
/// there is none. Shared by hover, diagnostics and code lenses so each project is fetched once.
enum ProjectInsight: Sendable {
    case found(ProjectLookupResult)
    /// The project exists, but no version matches the specifier (and target Python).
    case noMatchingVersion(ProjectLookupError, available: [String])
    /// No configured index lists the project.
    case unknownProject(String)
    /// No index is configured: the message says how to configure one.
    case notConfigured(String)
    /// The lookup failed (network, HTTP status, metadata): the message says why.
    case failed(String)
}

/// Memoizes project lookups of a session for the editor features (hover, diagnostics, code lens,
/// completion, inlay hints, code actions), per ``LookupScope``, for a short time so a republished
/// index is seen again.
final class ProjectInsights: Sendable {
    private struct Key: Hashable {
        var scope: String
        var name: String
        var specifier: String
    }

    private struct Entry {
        var insight: ProjectInsight
        var time: Date
    }

    private let entries = Locked<[Key: Entry]>([:])
    /// Lookups running now, each finished when its group is left.
    private let inFlight = Locked<[Key: DispatchGroup]>([:])
    private let pages = Locked<[String: (versions: [Version], time: Date)]>([:])
    /// Every project name an index confirmed, for completion and "did you mean".
    private let knownNames = Locked<Set<String>>([])
    /// Each index's list of projects (its root page), when it has one.
    private let projectLists = Locked<[String: [String]]>([:])
    /// How long an answer is reused.
    let lifetime: TimeInterval

    init(lifetime: TimeInterval = 120) {
        self.lifetime = lifetime
    }

    /// Forgets every answer (after the index configuration changed).
    func reset() {
        entries.withLock { $0.removeAll() }
        pages.withLock { $0.removeAll() }
        projectLists.withLock { $0.removeAll() }
    }

    /// The cached insight for `name` and `specifier`, without any I/O.
    func cached(name: String, specifier: SpecifierSet?, scope: LookupScope) -> ProjectInsight? {
        let key = Key(scope: scope.key, name: ProjectName.canonical(name), specifier: specifier?.description ?? "")
        return entries.withLock { entries in
            guard let entry = entries[key], Date().timeIntervalSince(entry.time) < lifetime else { return nil }
            return entry.insight
        }
    }

    /// Looks `name` up (one project page plus one metadata file), or answers from memory. A
    /// lookup already running for the same key (diagnostics and inlay hints of a document just
    /// opened ask at the same time) is waited for rather than repeated.
    func insight(
        name: String, specifier: SpecifierSet?, scope: LookupScope, cancellation: CancellationToken
    ) throws -> ProjectInsight {
        if let cached = cached(name: name, specifier: specifier, scope: scope) { return cached }
        let key = Key(scope: scope.key, name: ProjectName.canonical(name), specifier: specifier?.description ?? "")
        let (running, leads) = inFlight.withLock { running -> (DispatchGroup, Bool) in
            if let group = running[key] { return (group, false) }
            let group = DispatchGroup()
            group.enter()
            running[key] = group
            return (group, true)
        }
        if !leads {
            // Waiting stays cancellable: the leader may be a slow background lookup.
            try WorkerPool.blocking {
                while running.wait(timeout: .now() + .milliseconds(20)) == .timedOut {
                    try cancellation.throwIfCancelled()
                }
            }
            // The leader's answer, unless it failed or was cancelled: then look up here.
            if let cached = cached(name: name, specifier: specifier, scope: scope) { return cached }
            try cancellation.throwIfCancelled()
            return try lookUp(name: name, specifier: specifier, scope: scope, cancellation: cancellation)
        }
        defer {
            inFlight.withLock { _ = $0.removeValue(forKey: key) }
            running.leave()
        }
        let insight = try lookUp(name: name, specifier: specifier, scope: scope, cancellation: cancellation)
        if case .failed = insight {} else {
            entries.withLock { $0[key] = Entry(insight: insight, time: Date()) }
        }
        if case .found = insight { knownNames.withLock { _ = $0.insert(ProjectName.canonical(name)) } }
        return insight
    }

    private func lookUp(
        name: String, specifier: SpecifierSet?, scope: LookupScope, cancellation: CancellationToken
    ) throws -> ProjectInsight {
        let index: ProjectIndex
        switch scope.index {
        case .success(let found): index = found
        case .failure(let error): return .notConfigured(error.description)
        }
        do {
            let request = ProjectLookupRequest(
                name: name, specifier: (specifier?.isEmpty ?? true) ? nil : specifier, python: scope.python, platform: scope.platform)
            return .found(try index.lookup.lookup(request, cancellation: cancellation))
        } catch let error as ProjectLookupError {
            if case .noMatchingVersion(_, _, _, let available) = error { return .noMatchingVersion(error, available: available) }
            return .failed(error.description)
        } catch let error as IndexClientError {
            if case .projectNotFound = error { return .unknownProject(error.description) }
            return .failed(error.description)
        } catch let error as OperationCancelled {
            throw error
        } catch {
            if cancellation.isCancelled { throw OperationCancelled() }
            let mapped = ResponseErrorDescription(error)
            if mapped.isNotFound { return .unknownProject(mapped.message) }
            return .failed(mapped.message)
        }
    }

    /// Every version the index lists for `name` (not yanked), newest first: one page, no metadata.
    func versions(name: String, scope: LookupScope, cancellation: CancellationToken) throws -> [Version] {
        let key = scope.key + "|" + ProjectName.canonical(name)
        if let cached = pages.withLock({ $0[key] }), Date().timeIntervalSince(cached.time) < lifetime {
            return cached.versions
        }
        let page = try scope.projectIndex().client.projectPage(name, cancellation: cancellation)
        let versions = Set(page.files.filter { !$0.yanked.isYanked }.compactMap(\.version)).sorted(by: >)
        pages.withLock { $0[key] = (versions, Date()) }
        knownNames.withLock { _ = $0.insert(ProjectName.canonical(name)) }
        return versions
    }

    /// Project names for completion and suggestions: the index's project list (its root page,
    /// fetched once per index) and every name an index confirmed in this session.
    func projectNames(scope: LookupScope, session: ServerSession, cancellation: CancellationToken) -> [String] {
        var names = knownNames.withLock { $0 }
        if let index = try? scope.projectIndex(), let root = index.configuration.primaryIndex, !root.isLocal {
            let key = root.url.absoluteString
            var list = projectLists.withLock { $0[key] }
            if list == nil {
                list = ProjectList.fetch(root: root, engine: session.engine, cancellation: cancellation) ?? []
                projectLists.withLock { $0[key] = list }
            }
            names.formUnion(list ?? [])
        }
        return names.sorted()
    }

    /// Close names to a misspelled project ("reqeusts" → "requests"), best first.
    func suggestions(for name: String, scope: LookupScope, session: ServerSession, cancellation: CancellationToken) -> [String] {
        ProjectList.closest(to: name, among: projectNames(scope: scope, session: session, cancellation: cancellation))
    }
}

/// The message of any error as the client would see it, and whether it means "not found".
private struct ResponseErrorDescription {
    var message: String
    var isNotFound: Bool

    init(_ error: any Error) {
        let mapped = ResponseError(mapping: error)
        message = mapped.message
        isNotFound = mapped.code == ServerErrorCode.projectNotFound || mapped.code == ServerErrorCode.httpError
    }
}
