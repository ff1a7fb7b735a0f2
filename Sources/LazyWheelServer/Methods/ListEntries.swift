import Foundation
import JSONRPC
import LazyWheelCore

/// `listEntries {handle}` → `{entries: [{name, offset, compressedSize, size, crc32, method}]}`,
/// from the central directory already read: never a request.
struct ListEntriesRequest: ServerMethod {
    static let method = "listEntries"

    var handle: String

    typealias Response = EntryListing

    func answerFromMemory(in session: ServerSession) throws -> EntryListing? {
        EntryListing(archive: try session.wheels.wheel(forHandle: handle).opened.wheel.archive)
    }

    func answer(in context: RequestContext) throws -> EntryListing {
        try answerFromMemory(in: context.session)!
    }
}
