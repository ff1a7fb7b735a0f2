import Foundation
import JSONRPC

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

    struct Response: Codable, Sendable {
        var name: String
        var size: Int
        var encoding: Encoding
        var data: String
    }

    func answer(in context: RequestContext) throws -> Response {
        let session = context.session
        let wheel = try session.wheels.wheel(forHandle: handle)
        if let entry = wheel.opened.wheel.archive.entry(named: name) {
            try session.checkReadSize(entry.uncompressedSize, what: "the member \(name)")
        }
        context.progress.begin("Reading \(name)")
        defer { context.progress.end() }
        let bytes = try wheel.opened.readMember(
            named: name, maxSize: session.maxReadBytes, cancellation: context.cancellation)
        session.wheels.enforce(budget: session.memoryBudget)
        let encoding = encoding ?? .base64
        let data: String
        switch encoding {
        case .base64:
            data = bytes.base64EncodedString()
        case .utf8:
            guard let text = String(data: bytes, encoding: .utf8) else {
                throw ResponseError.invalidParams("\(name) is not UTF-8 text; ask for encoding \"base64\"")
            }
            data = text
        }
        return Response(name: name, size: bytes.count, encoding: encoding, data: data)
    }
}
