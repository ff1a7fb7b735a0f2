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
    var workDoneToken: ProgressToken?

    /// The wheel's metadata, or a project lookup's document.
    enum Response: Codable, Sendable {
        case wheel(CoreMetadata)
        case project(ProjectMetadataDocument)

        init(from decoder: any Decoder) throws {
            self = .wheel(try CoreMetadata(from: decoder))
        }

        func encode(to encoder: any Encoder) throws {
            switch self {
            case .wheel(let metadata): try metadata.encode(to: encoder)
            case .project(let document): try document.encode(to: encoder)
            }
        }
    }

    private func cachedWheel(in session: ServerSession) throws -> SessionWheel? {
        if let handle { return try session.wheels.wheel(forHandle: handle) }
        if let url {
            return session.wheels.wheel(for: WheelKey(location: try session.location(url), headers: headers ?? [:]))
        }
        throw ResponseError.invalidParams("getMetadata needs \"handle\", \"url\" or \"project\"")
    }

    func answerFromMemory(in session: ServerSession) throws -> Response? {
        if project != nil { return nil }
        return try cachedWheel(in: session)?.metadata.map(Response.wheel)
    }

    func answer(in context: RequestContext) throws -> Response {
        let session = context.session
        context.progress.begin("Reading metadata")
        defer { context.progress.end() }
        if let project {
            let target = try session.target(python: python, platform: platform)
            return .project(try session.projectIndex().metadata(
                project: project, specifier: specifier, target: target, cancellation: context.cancellation))
        }
        let wheel: SessionWheel
        if let cached = try cachedWheel(in: session) {
            wheel = cached
        } else {
            wheel = try session.wheel(
                at: try session.location(url!), headers: headers ?? [:], cancellation: context.cancellation,
                progress: context.progress)
        }
        return .wheel(try session.metadata(of: wheel, cancellation: context.cancellation))
    }
}
