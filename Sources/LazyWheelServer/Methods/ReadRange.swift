import Foundation
import JSONRPC

/// `readRange {handle, offset, length}` → `{offset, length, data}` (base64): raw bytes of the wheel
/// file, fetched only where the interval cache has gaps.
struct ReadRangeRequest: ServerMethod {
    static let method = "readRange"

    var handle: String
    var offset: Int64
    var length: Int64
    var workDoneToken: ProgressToken?

    struct Response: Codable, Sendable {
        var offset: Int64
        var length: Int64
        /// The bytes, base64 (RFC 4648 §4).
        var data: String
    }

    private func validatedRange(size: Int64, session: ServerSession) throws -> Range<Int64> {
        guard offset >= 0, length >= 0 else {
            throw ResponseError.invalidParams("offset and length must be non-negative (got offset \(offset), length \(length))")
        }
        guard offset <= size, length <= size - offset else {
            throw ResponseError.invalidParams("range \(offset)+\(length) lies outside the file of \(size) bytes")
        }
        try session.checkReadSize(length, what: "readRange")
        return offset ..< offset + length
    }

    func answerFromMemory(in session: ServerSession) throws -> Response? {
        let file = try session.wheels.wheel(forHandle: handle).opened.wheel.file
        let range = try validatedRange(size: file.size, session: session)
        guard file.isCached(range) else { return nil }
        return Response(offset: offset, length: length, data: try file.read(range).base64EncodedString())
    }

    func answer(in context: RequestContext) throws -> Response {
        let session = context.session
        let file = try session.wheels.wheel(forHandle: handle).opened.wheel.file
        let range = try validatedRange(size: file.size, session: session)
        context.progress.begin("Reading \(length) bytes")
        defer { context.progress.end() }
        let data = try file.read(range, cancellation: context.cancellation)
        session.wheels.enforce(budget: session.memoryBudget)
        return Response(offset: offset, length: length, data: data.base64EncodedString())
    }
}
