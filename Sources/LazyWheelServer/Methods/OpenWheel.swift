import Foundation
import JSONRPC

/// `openWheel {url, headers?}` → `{handle, url, size, entryCount, filename}`: opens a wheel lazily
/// (one suffix range request, two when its central directory is longer than the tail). A second
/// open of the same URL reuses the bytes already fetched.
struct OpenWheelRequest: ServerMethod {
    static let method = "openWheel"

    var url: String
    /// Extra HTTP request headers (e.g. `Authorization`); never logged.
    var headers: [String: String]?
    var workDoneToken: ProgressToken?

    struct Response: Codable, Sendable {
        var handle: String
        var url: String
        var size: Int64
        var entryCount: Int
        /// The last path component of the URL.
        var filename: String
    }

    func answer(in context: RequestContext) throws -> Response {
        let session = context.session
        let location = try session.location(url)
        context.progress.begin("Opening \(location.filename)")
        defer { context.progress.end() }
        let wheel = try session.wheel(
            at: location, headers: headers ?? [:], cancellation: context.cancellation, progress: context.progress)
        let handle = session.wheels.openHandle(for: wheel.key)
        return Response(
            handle: handle, url: location.description, size: wheel.opened.wheel.file.size,
            entryCount: wheel.opened.wheel.archive.entries.count, filename: location.filename)
    }
}

/// `closeWheel {handle}` → `{closed: true}`: forgets the handle.
struct CloseWheelRequest: ServerMethod {
    static let method = "closeWheel"

    var handle: String

    struct Response: Codable, Sendable {
        var closed: Bool
    }

    func answerFromMemory(in session: ServerSession) throws -> Response? {
        try session.wheels.close(handle: handle)
        return Response(closed: true)
    }

    func answer(in context: RequestContext) throws -> Response {
        try answerFromMemory(in: context.session)!
    }
}
