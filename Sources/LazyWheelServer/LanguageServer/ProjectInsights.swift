import Foundation
import JSONRPC
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
/// completion), for a short time so a republished index is seen again.
final class ProjectInsights: Sendable {
    private struct Key: Hashable {
        var name: String
        var specifier: String
    }

    private struct Entry {
        var insight: ProjectInsight
        var time: Date
    }

    private let entries = Locked<[Key: Entry]>([:])
    private let pages = Locked<[String: (versions: [Version], time: Date)]>([:])
    /// The session's target, resolved once (resolving may run the host's python3).
    private let target = Locked<(python: String, platform: TargetPlatform)?>(nil)
    /// How long an answer is reused.
    let lifetime: TimeInterval

    init(lifetime: TimeInterval = 120) {
        self.lifetime = lifetime
    }

    /// Forgets every answer (after the index configuration changed).
    func reset() {
        entries.withLock { $0.removeAll() }
        pages.withLock { $0.removeAll() }
        target.withLock { $0 = nil }
    }

    /// The session's target Python and platform (from `initialize`, else the host), resolved once.
    func target(session: ServerSession) throws -> (python: String, platform: TargetPlatform) {
        if let known = target.withLock({ $0 }) { return known }
        let resolved = try session.target(python: nil, platform: nil)
        let value = (python: resolved.python, platform: resolved.platform)
        target.withLock { $0 = value }
        return value
    }

    /// "Python 3.12 on manylinux_2_28_x86_64", for hovers.
    func targetDescription(session: ServerSession) -> String? {
        (try? target(session: session)).map { "Python \($0.python) on \($0.platform)" }
    }

    /// The cached insight for `name` and `specifier`, without any I/O.
    func cached(name: String, specifier: SpecifierSet?) -> ProjectInsight? {
        let key = Key(name: ProjectName.canonical(name), specifier: specifier?.description ?? "")
        return entries.withLock { entries in
            guard let entry = entries[key], Date().timeIntervalSince(entry.time) < lifetime else { return nil }
            return entry.insight
        }
    }

    /// Looks `name` up (one project page plus one metadata file), or answers from memory.
    func insight(
        name: String, specifier: SpecifierSet?, session: ServerSession, cancellation: CancellationToken
    ) throws -> ProjectInsight {
        if let cached = cached(name: name, specifier: specifier) { return cached }
        let insight = try lookUp(name: name, specifier: specifier, session: session, cancellation: cancellation)
        let key = Key(name: ProjectName.canonical(name), specifier: specifier?.description ?? "")
        if case .failed = insight {} else {
            entries.withLock { $0[key] = Entry(insight: insight, time: Date()) }
        }
        return insight
    }

    private func lookUp(
        name: String, specifier: SpecifierSet?, session: ServerSession, cancellation: CancellationToken
    ) throws -> ProjectInsight {
        let index: ProjectIndex
        do {
            index = try session.projectIndex()
        } catch let error as IndexConfigurationError {
            return .notConfigured(error.description)
        }
        do {
            let target = try target(session: session)
            let request = ProjectLookupRequest(
                name: name, specifier: (specifier?.isEmpty ?? true) ? nil : specifier, python: target.python, platform: target.platform)
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
    func versions(name: String, session: ServerSession, cancellation: CancellationToken) throws -> [Version] {
        let key = ProjectName.canonical(name)
        if let cached = pages.withLock({ $0[key] }), Date().timeIntervalSince(cached.time) < lifetime {
            return cached.versions
        }
        let page = try session.projectIndex().client.projectPage(name, cancellation: cancellation)
        let versions = Set(page.files.filter { !$0.yanked.isYanked }.compactMap(\.version)).sorted(by: >)
        pages.withLock { $0[key] = (versions, Date()) }
        return versions
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
