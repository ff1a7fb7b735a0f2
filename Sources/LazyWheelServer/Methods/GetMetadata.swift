import Foundation
import JSONRPC
import PackagingStandards
import PackageIndex

/// `getMetadata {handle}`, `{url, headers?}` → the core metadata object of
/// `lazywheel metadata --json`, answered from memory when this session already read it; or
/// `{project, specifier?, python?, platform?}` → the metadata of the best matching version with a
/// wheel for the target, plus `fileUrl`, `availableVersions`, `latestVersion`, `yanked`,
/// `hasCompatibleWheel` (hover by name).
struct GetMetadataRequest: ServerMethod {
    static let method = "getMetadata"

    var handle: String?
    var url: String?
    var headers: [String: String]?
    var project: String?
    var specifier: String?
    var python: String?
    var platform: String?
    /// Only these keys of the answer (e.g. what a hover shows: `name`, `version`, `summary`,
    /// `requiresDist`); all when absent. Skips sending a 170 KB `raw`/`description` per hover.
    var fields: [String]?
    var workDoneToken: ProgressToken?

    /// The metadata object (or the project lookup's document) as JSON: a cached wheel's is
    /// encoded once and reused, so a warm answer costs one serialization.
    typealias Response = JSONValue

    private func cachedWheel(in session: ServerSession) throws -> SessionWheel? {
        if let handle { return try session.wheels.wheel(forHandle: handle) }
        if let url {
            return session.wheels.wheel(for: WheelKey(location: try session.location(url), headers: headers ?? [:]))
        }
        throw ResponseError.invalidParams("getMetadata needs \"handle\", \"url\" or \"project\"")
    }

    func answerFromMemory(in session: ServerSession) throws -> Response? {
        if project != nil { return nil }
        return try cachedWheel(in: session)?.metadataJSON.map(selected)
    }

    /// The answer restricted to ``fields`` when given.
    private func selected(_ answer: JSONValue) -> JSONValue {
        guard let fields, case .object(let members) = answer else { return answer }
        let wanted = Set(fields)
        return .object(members.filter { wanted.contains($0.key) })
    }

    func answer(in context: RequestContext) throws -> Response {
        let session = context.session
        context.progress.begin("Reading metadata")
        defer { context.progress.end() }
        if let project {
            let target = try session.target(python: python, platform: platform)
            return selected(try JSONValue(encoding: session.projectIndex().metadata(
                project: project, specifier: specifier, target: target, cancellation: context.cancellation)))
        }
        let wheel: SessionWheel
        if let cached = try cachedWheel(in: session) {
            wheel = cached
        } else {
            wheel = try session.wheel(
                at: try session.location(url!), headers: headers ?? [:], cancellation: context.cancellation,
                progress: context.progress)
        }
        _ = try session.metadata(of: wheel, cancellation: context.cancellation)
        guard let json = wheel.metadataJSON else { throw ResponseError.internalError("metadata was read but not kept") }
        return selected(json)
    }
}
