import Foundation
import HTTPRange
import LazyZip
import WorkScheduling

/// Why a source distribution's metadata could not be read without building it.
public enum SdistMetadataError: Error, Equatable, Sendable, CustomStringConvertible {
    /// PKG-INFO is missing, too old to be trusted (Metadata-Version < 2.2, PEP 643), or marks the
    /// needed fields as `Dynamic`.
    case needsBuild(filename: String, reason: String)
    /// The archive ends (or the download stopped) before the end-of-archive marker or PKG-INFO.
    case truncated(filename: String, bytesRead: Int64)
    /// The gzip stream is damaged.
    case corruptCompression(filename: String, reason: String)
    /// The tar structure is damaged.
    case corruptArchive(filename: String, reason: String)
    /// Neither `.tar.gz` nor `.zip`.
    case unsupportedFormat(filename: String)

    public var description: String {
        switch self {
        case .needsBuild(let filename, let reason):
            "metadata for \(filename) needs a build (\(reason)); lazywheel reads metadata only from wheels and from sdists with Metadata-Version 2.2+ PKG-INFO whose Requires-Dist and Requires-Python are not dynamic"
        case .truncated(let filename, let bytesRead):
            "the source distribution \(filename) ends after \(bytesRead) bytes, before its PKG-INFO; the file is truncated or not a complete .tar.gz"
        case .corruptCompression(let filename, let reason):
            "the source distribution \(filename) is not a valid gzip stream: \(reason)"
        case .corruptArchive(let filename, let reason):
            "the source distribution \(filename) is not a valid tar archive: \(reason)"
        case .unsupportedFormat(let filename):
            "\(filename) is neither a wheel nor a .tar.gz or .zip source distribution"
        }
    }
}

/// Reads the `PKG-INFO` of a source distribution (PEP 517 sdist layout, `{name}-{version}/PKG-INFO`)
/// without downloading or building all of it:
///
/// - `.tar.gz`: the head of the file is fetched with bounded range requests (64 KiB, then doubling
///   while needed), inflated as a stream and walked header by header (ustar, pax, GNU) until the
///   top-level `PKG-INFO` appears;
/// - `.zip`: through the lazy ZIP reader (tail, central directory, one entry).
public enum SdistArchiveReader {
    /// The first range request's length.
    public static let initialChunkLength: Int64 = 64 * 1024
    /// The largest later range request.
    public static let maximumChunkLength: Int64 = 4 * 1024 * 1024
    /// PKG-INFO files above this size are refused.
    public static let maximumPKGInfoSize = 4 * 1024 * 1024

    /// Whether `path` is `<dir>/PKG-INFO` directly under the archive's top-level directory.
    public static func isTopLevelPKGInfo(_ path: String) -> Bool {
        var trimmed = Substring(path)
        while trimmed.hasPrefix("./") { trimmed = trimmed.dropFirst(2) }
        let parts = trimmed.split(separator: "/", omittingEmptySubsequences: true)
        return parts.count == 2 && parts[1] == "PKG-INFO"
    }

    /// The bytes of the top-level PKG-INFO of the sdist `filename` behind `source`.
    /// `knownSize` (PEP 700 `size`) avoids one request for sdists smaller than the first chunk.
    public static func readPKGInfo(
        filename: String, source: any ByteSource, knownSize: Int64? = nil, cancellation: CancellationToken? = nil
    ) throws -> Data {
        let lower = filename.lowercased()
        if lower.hasSuffix(".tar.gz") || lower.hasSuffix(".tgz") {
            return try readTarGzPKGInfo(filename: filename, source: source, knownSize: knownSize, cancellation: cancellation)
        }
        if lower.hasSuffix(".zip") {
            return try readZipPKGInfo(filename: filename, source: source, cancellation: cancellation)
        }
        throw SdistMetadataError.unsupportedFormat(filename: filename)
    }

    /// The `.tar.gz` path: bounded range reads from offset 0, inflated and scanned as they arrive.
    static func readTarGzPKGInfo(
        filename: String, source: any ByteSource, knownSize: Int64?, cancellation: CancellationToken?
    ) throws -> Data {
        var scanner = TarEntryScanner(memberLimit: maximumPKGInfoSize, wants: isTopLevelPKGInfo)
        let gzip: GzipStream
        do { gzip = try GzipStream() } catch { throw SdistMetadataError.corruptCompression(filename: filename, reason: error.reason) }
        var offset: Int64 = 0
        var size = knownSize
        var chunk = initialChunkLength
        while true {
            try cancellation.throwIfCancelled()
            if let size, offset >= size { break }
            var end = offset + chunk
            if let size { end = min(end, size) }
            let requested = end - offset
            let data: Data
            do {
                data = try source.read(offset..<end, cancellation: cancellation)
            } catch HTTPRangeError.outOfBounds(_, _, let actualSize) where size == nil && actualSize > offset {
                // The file is shorter than the chunk asked for: ask again for what it has.
                size = actualSize
                continue
            }
            if data.isEmpty { break }
            offset += Int64(data.count)
            var member: TarEntryScanner.Member?
            do {
                try gzip.decompress(data) { slice in
                    member = try scanner.consume(slice)
                    return member == nil && !scanner.isFinished
                }
            } catch let failure as GzipStream.Failure {
                throw SdistMetadataError.corruptCompression(filename: filename, reason: failure.reason)
            } catch let failure as TarEntryScanner.Failure {
                switch failure {
                case .corruptHeader(let at, let reason):
                    throw SdistMetadataError.corruptArchive(filename: filename, reason: "\(reason) at offset \(at)")
                case .memberTooLarge(let name, let memberSize, let limit):
                    throw SdistMetadataError.corruptArchive(filename: filename, reason: "\(name) is \(memberSize) bytes, more than the \(limit) allowed")
                }
            }
            if let member { return member.data }
            if scanner.isFinished {
                throw SdistMetadataError.needsBuild(filename: filename, reason: "it has no top-level PKG-INFO")
            }
            if Int64(data.count) < requested { break }
            chunk = min(chunk * 2, maximumChunkLength)
        }
        if gzip.isAtMemberEnd && !scanner.isFinished && scanner.membersSeen > 0 {
            // A complete gzip stream holding a tar without end marker: no PKG-INFO in it.
            throw SdistMetadataError.needsBuild(filename: filename, reason: "it has no top-level PKG-INFO")
        }
        throw SdistMetadataError.truncated(filename: filename, bytesRead: offset)
    }

    /// The `.zip` path: the lazy ZIP reader finds `<dir>/PKG-INFO` in the central directory.
    static func readZipPKGInfo(filename: String, source: any ByteSource, cancellation: CancellationToken?) throws -> Data {
        let tail = try source.readTail(length: LazyWheel.defaultTailLength, cancellation: cancellation)
        let file = try LazyFile(source: source, tail: tail)
        let archive = try ZipArchive(file: file, cancellation: cancellation)
        let candidates = archive.entries.filter { !$0.isDirectory && isTopLevelPKGInfo($0.name) }
        guard candidates.count == 1, let entry = candidates.first else {
            throw SdistMetadataError.needsBuild(
                filename: filename,
                reason: candidates.isEmpty ? "it has no top-level PKG-INFO" : "it has several top-level PKG-INFO files")
        }
        return try archive.readEntry(entry, maxSize: Int64(maximumPKGInfoSize), cancellation: cancellation)
    }
}
