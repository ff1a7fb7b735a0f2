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

    struct Response: Codable, Sendable, JSONValueConvertible {
        var offset: Int64
        var length: Int64
        /// The bytes, base64 (RFC 4648 §4).
        var data: String

        var jsonValue: JSONValue { ["offset": .int(Int(offset)), "length": .int(Int(length)), "data": .string(data)] }
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
        // Large answers go to a worker, which reserves their memory in the session's budget.
        guard range.count <= Self.answeredFromMemoryBytes, file.isCached(range) else { return nil }
        return Response(offset: offset, length: length, data: try file.read(range).base64EncodedString())
    }

    func answer(in context: RequestContext) throws -> Response {
        let session = context.session
        let wheel = try session.wheels.wheel(forHandle: handle)
        let file = wheel.opened.wheel.file
        let range = try validatedRange(size: file.size, session: session)
        try context.reserveReplyMemory(forDataSize: Int64(range.count), of: wheel, what: "readRange of \(length) bytes")
        context.progress.begin("Reading \(length) bytes")
        defer { context.progress.end() }
        return Response(offset: offset, length: length, data: try base64(of: range, in: wheel, context: context))
    }

    /// The bytes of `range` as base64; the bytes are dropped once their text exists.
    private func base64(of range: Range<Int64>, in wheel: SessionWheel, context: RequestContext) throws -> String {
        let data = try wheel.opened.wheel.file.read(range, cancellation: context.cancellation)
        context.session.wheels.enforce(budget: context.session.cacheBudget, after: wheel)
        return data.base64EncodedString()
    }

    /// Cached ranges up to this size are answered on the connection's thread.
    static let answeredFromMemoryBytes = Int(ReplyMemoryBudget.smallReplyDataBytes) - 1
}
