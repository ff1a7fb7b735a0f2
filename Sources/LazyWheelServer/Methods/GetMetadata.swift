import Foundation
import JSONRPC
import PackagingStandards

/// `getMetadata {handle}` or `{url, headers?}` → the core metadata object of
/// `lazywheel metadata --json`. Answered from memory when this session already read it.
struct GetMetadataRequest: ServerMethod {
    static let method = "getMetadata"

    var handle: String?
    var url: String?
    var headers: [String: String]?
    var workDoneToken: ProgressToken?

    typealias Response = CoreMetadata

    private func cachedWheel(in session: ServerSession) throws -> SessionWheel? {
        if let handle { return try session.wheels.wheel(forHandle: handle) }
        if let url {
            return session.wheels.wheel(for: WheelKey(location: try session.location(url), headers: headers ?? [:]))
        }
        throw ResponseError.invalidParams("getMetadata needs either \"handle\" or \"url\"")
    }

    func answerFromMemory(in session: ServerSession) throws -> CoreMetadata? {
        try cachedWheel(in: session)?.metadata
    }

    func answer(in context: RequestContext) throws -> CoreMetadata {
        let session = context.session
        context.progress.begin("Reading metadata")
        defer { context.progress.end() }
        let wheel: SessionWheel
        if let cached = try cachedWheel(in: session) {
            wheel = cached
        } else {
            wheel = try session.wheel(
                at: try session.location(url!), headers: headers ?? [:], cancellation: context.cancellation,
                progress: context.progress)
        }
        return try session.metadata(of: wheel, cancellation: context.cancellation)
    }
}
