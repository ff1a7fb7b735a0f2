import Foundation
import JSONRPC
import LazyWheelCore

/// `readEntry {handle, name, encoding?}` → `{name, size, encoding, data}`: one member, fetched with
/// one range request, inflated and CRC-checked. `encoding` is `base64` (default) or `utf-8`.
struct ReadEntryRequest: ServerMethod {
    static let method = "readEntry"

    enum Encoding: String, Codable, Sendable {
        case base64
        case utf8 = "utf-8"
    }

    var handle: String
    var name: String
    var encoding: Encoding?
    var workDoneToken: ProgressToken?

    struct Response: Codable, Sendable, JSONValueConvertible {
        var name: String
        var size: Int
        var encoding: Encoding
        var data: String

        var jsonValue: JSONValue {
            ["name": .string(name), "size": .int(size), "encoding": .string(encoding.rawValue), "data": .string(data)]
        }
    }

    func answer(in context: RequestContext) throws -> Response {
        let session = context.session
        let wheel = try session.wheels.wheel(forHandle: handle)
        if let entry = wheel.opened.wheel.archive.entry(named: name) {
            try session.checkReadSize(entry.uncompressedSize, what: "the member \(name)")
            try context.reserveReplyMemory(forDataSize: entry.uncompressedSize, of: wheel, what: "readEntry of \(name)")
        }
        context.progress.begin("Reading \(name)")
        defer { context.progress.end() }
        let encoding = encoding ?? .base64
        // The member's bytes are dropped as soon as their text exists, so the reply holds at most
        // the bytes and the text, then the text and the frame.
        let (size, data) = try memberText(wheel: wheel, encoding: encoding, context: context)
        return Response(name: name, size: size, encoding: encoding, data: data)
    }

    private func memberText(wheel: SessionWheel, encoding: Encoding, context: RequestContext) throws -> (Int, String) {
        let session = context.session
        let bytes = try wheel.opened.readMember(
            named: name, maxSize: session.maxReadBytes, cancellation: context.cancellation)
        session.wheels.enforce(budget: session.cacheBudget, after: wheel)
        switch encoding {
        case .base64:
            return (bytes.count, bytes.base64EncodedString())
        case .utf8:
            guard let text = String(data: bytes, encoding: .utf8) else {
                throw ResponseError.invalidParams("\(name) is not UTF-8 text; ask for encoding \"base64\"")
            }
            return (bytes.count, text)
        }
    }
}
