import Foundation
import LazyZip
import WorkScheduling

/// One member of a wheel as `listEntries` and `lazywheel ls --json` describe it.
public struct EntryDescription: Codable, Sendable, Equatable {
    /// The member's path inside the archive.
    public var name: String
    /// Offset of its local file header (APPNOTE 4.3.7).
    public var offset: Int64
    public var compressedSize: Int64
    /// Uncompressed size.
    public var size: Int64
    public var crc32: UInt32
    /// `stored`, `deflated`, or `method N` for others (APPNOTE 4.4.5).
    public var method: String

    init(_ entry: ZipEntry) {
        name = entry.name
        offset = entry.localHeaderOffset
        compressedSize = entry.compressedSize
        size = entry.uncompressedSize
        crc32 = entry.crc32
        method = switch entry.compressionMethod {
        case 0: "stored"
        case 8: "deflated"
        default: "method \(entry.compressionMethod)"
        }
    }
}

/// A wheel's members in central-directory order.
public struct EntryListing: Codable, Sendable, Equatable {
    public var entries: [EntryDescription]

    public init(archive: ZipArchive) {
        entries = archive.entries.map(EntryDescription.init)
    }
}

/// Why a member could not be read.
public enum WheelMemberError: Error, Sendable, Equatable, CustomStringConvertible {
    case notFound(member: String, wheel: String)

    public var description: String {
        switch self {
        case let .notFound(member, wheel): "'\(member)' is not a member of \(wheel); list the members with `lazywheel ls`"
        }
    }
}

extension OpenedWheel {
    /// The largest member `readMember` inflates (a cap against zip bombs).
    public static let maximumMemberSize: Int64 = 512 << 20

    /// The decompressed, CRC-checked bytes of the member `name`, fetched with one request.
    public func readMember(named name: String, maxSize: Int64 = OpenedWheel.maximumMemberSize,
                           cancellation: CancellationToken? = nil) throws -> Data {
        guard let entry = wheel.archive.entry(named: name) else {
            throw WheelMemberError.notFound(member: name, wheel: location.description)
        }
        return try wheel.archive.readEntry(entry, maxSize: maxSize, cancellation: cancellation)
    }
}
