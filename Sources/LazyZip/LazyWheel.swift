import Foundation
import WorkScheduling

/// A wheel (PEP 427 binary distribution, a ZIP archive) read lazily: one suffix read of its tail,
/// the central directory parsed from it, and the core metadata file
/// (`{name}-{version}.dist-info/METADATA`, PEP 427 / PEP 491 and the core metadata spec) read
/// with one more request, the fallback pip and uv use when an index serves no PEP 658 metadata.
///
/// Fetch plan, counted in requests to the ``ByteSource``:
/// 1. the tail (``defaultTailLength`` bytes, a suffix `Range`): it learns the size and usually
///    holds the end records, the whole central directory and, for most pure wheels, METADATA;
/// 2. the rest of the central directory, with one request, only when it starts before the tail
///    (numpy's is 73 KB) and the whole archive is wanted (``open(source:tailLength:statistics:pool:cancellation:)``);
///    ``fetchMetadata(source:tailLength:statistics:pool:distInfoMatches:cancellation:)`` skips it
///    when METADATA's entry is among the directory entries the tail holds;
/// 3. METADATA, from its local header to the next entry's, only when not in the tail.
public final class LazyWheel: Sendable {
    /// Tail bytes read when a wheel is opened: 16 KiB, enough for the end records, the central
    /// directory and often METADATA of most wheels, with a margin over the longest such distance
    /// seen; a longer tail only trades bytes for the odd request (`Benchmarks/PERFORMANCE.md`,
    /// "Tail length", from `CorpusTests.tailLengthTable`).
    public static let defaultTailLength = 16 * 1024
    /// METADATA files above this size are refused (numpy's, one of the biggest, is 60 KB).
    public static let maximumMetadataSize: Int64 = 16 * 1024 * 1024

    /// The bytes of the wheel seen so far.
    public let file: LazyFile
    /// The wheel's central directory.
    public let archive: ZipArchive

    /// Wraps an archive already opened.
    public init(archive: ZipArchive) {
        self.archive = archive
        self.file = archive.file
    }

    /// Opens the wheel behind `source` with one suffix read of `tailLength` bytes, plus one more
    /// request when the central directory is longer than the tail.
    ///
    /// - Parameters:
    ///   - statistics: receives the ``LazyFile``'s cache hits and misses; requests and bytes are
    ///     counted by the source itself (give it the same object).
    ///   - pool: where the ``LazyFile`` runs parallel fetches (default ``LazyFile/sharedFetchPool``).
    public static func open(
        source: any ByteSource,
        tailLength: Int = LazyWheel.defaultTailLength,
        statistics: TransferStatistics? = nil,
        pool: WorkerPool? = nil,
        cancellation: CancellationToken? = nil
    ) throws -> LazyWheel {
        // A server that ignores ranges: the file is downloaded once (no member matches); the tail
        // then comes from it.
        let tail: TailRead
        switch try readTail(of: source, length: tailLength, scanner: LocalHeaderScanner { _ in false }, cancellation: cancellation) {
        case let .tail(read): tail = read
        case .metadata: tail = try source.readTail(length: tailLength, cancellation: cancellation)
        }
        let file = try LazyFile(source: source, tail: tail, pool: pool, statistics: statistics)
        return LazyWheel(archive: try ZipArchive(file: file, cancellation: cancellation))
    }

    /// The METADATA of the wheel behind `source`, read with the fewest requests, when nothing else
    /// of the wheel is needed.
    ///
    /// Like ``open(source:tailLength:statistics:pool:cancellation:)`` then
    /// ``readMetadata(distInfoMatches:cancellation:)``, except when the central directory is longer
    /// than the tail: wheels list `.dist-info/` last, so METADATA's header is usually among the
    /// directory's last entries, which the tail holds (``CentralDirectorySuffix``). Then only
    /// METADATA is fetched, not the rest of the directory (a request fewer for a wheel with a long
    /// directory, such as numpy's). When the tail holds no single entry matching `distInfoMatches`, the whole directory
    /// is read and checked as usual.
    ///
    /// Trade-off of the short path: a second matching METADATA in the unread part of the directory
    /// is not seen, where the full path would refuse the wheel as ambiguous.
    public static func fetchMetadata(
        source: any ByteSource,
        tailLength: Int = LazyWheel.defaultTailLength,
        statistics: TransferStatistics? = nil,
        pool: WorkerPool? = nil,
        distInfoMatches: @escaping @Sendable (String) -> Bool,
        cancellation: CancellationToken? = nil
    ) throws -> Data {
        let tail: TailRead
        switch try readTail(
            of: source, length: tailLength, scanner: LocalHeaderScanner(distInfoMatches: distInfoMatches), cancellation: cancellation)
        {
        case let .tail(read): tail = read
        case let .metadata(found): return found
        }
        let file = try LazyFile(source: source, tail: tail, pool: pool, statistics: statistics)
        let location = try ZipArchive.locateCentralDirectory(in: file, cancellation: cancellation)
        if !file.isCached(location.range), let (suffix, index) = try metadataInCachedSuffix(
            of: file, directory: location, distInfoMatches: distInfoMatches, cancellation: cancellation)
        {
            var entry = suffix.entries[index]
            do {
                return try ZipArchive.readEntry(entry, from: file, maxSize: maximumMetadataSize, cancellation: cancellation)
            } catch ZipError.entryOutOfBounds, ZipError.truncated {
                // The local extra field is longer than estimated: read up to the safe limit.
                entry.recordEnd = suffix.upperBound(of: index)
                return try ZipArchive.readEntry(entry, from: file, maxSize: maximumMetadataSize, cancellation: cancellation)
            }
        }
        let wheel = LazyWheel(archive: try ZipArchive(file: file, location: location, cancellation: cancellation))
        return try wheel.readMetadata(distInfoMatches: distInfoMatches, cancellation: cancellation)
    }

    /// The tail of `source`, or METADATA when its server sends whole files and `scanner` found it
    /// on the way. A server known to ignore ranges is read front to back at once; one that turns
    /// out to has its whole-file answer to the tail request read through `scanner` by the source.
    private static func readTail(
        of source: any ByteSource, length: Int, scanner: LocalHeaderScanner, cancellation: CancellationToken? = nil
    ) throws -> TailOrMetadata {
        guard let wholeFile = source as? any WholeFileSource else {
            return .tail(try source.readTail(length: length, cancellation: cancellation))
        }
        if wholeFile.ignoresRanges {
            if let found = try wholeFile.streamMetadata(scanner, cancellation: cancellation) { return .metadata(found) }
            return .tail(try source.readTail(length: length, cancellation: cancellation))
        }
        do {
            return try wholeFile.readTail(length: length, streaming: scanner, cancellation: cancellation)
        } catch where wholeFile.ignoresRanges {
            return try readTail(of: source, length: length, scanner: scanner, cancellation: cancellation)
        }
    }

    /// The one entry of the cached end of the central directory that is a matching METADATA.
    private static func metadataInCachedSuffix(
        of file: LazyFile, directory: CentralDirectoryLocation, distInfoMatches: (String) -> Bool,
        cancellation: CancellationToken?
    ) throws -> (CentralDirectorySuffix, Int)? {
        guard let cached = file.cachedIntervals.last, cached.upperBound == file.size,
              cached.lowerBound > directory.range.lowerBound, cached.lowerBound < directory.range.upperBound
        else { return nil }
        let bytes = try file.read(cached.lowerBound ..< directory.range.upperBound, cancellation: cancellation)
        guard let suffix = CentralDirectorySuffix(bytes: bytes, at: cached.lowerBound, directory: directory) else {
            return nil
        }
        let matching = suffix.entries.indices.filter { index in
            topLevelDistInfo(of: suffix.entries[index].name).map(distInfoMatches) ?? false
        }
        return matching.count == 1 ? (suffix, matching[0]) : nil
    }

    /// The top-level `X.dist-info/` directories holding a `METADATA` file.
    public var metadataDirectories: [String] {
        archive.entries.compactMap { Self.topLevelDistInfo(of: $0.name) }
    }

    /// The one top-level `X.dist-info/METADATA` entry whose directory name `X.dist-info` satisfies
    /// `distInfoMatches` (build it from the wheel's file name; with a predicate accepting every
    /// name, the wheel must have exactly one). None or several matching is an error listing the
    /// candidates.
    public func metadataEntry(distInfoMatches: (String) -> Bool) throws -> ZipEntry {
        let candidates = archive.entries.compactMap { entry in
            Self.topLevelDistInfo(of: entry.name).map { (directory: $0, entry: entry) }
        }
        let matching = candidates.filter { distInfoMatches($0.directory) }
        if matching.count == 1 { return matching[0].entry }
        if matching.isEmpty { throw ZipError.metadataNotFound(found: candidates.map(\.entry.name)) }
        throw ZipError.ambiguousMetadata(found: matching.map(\.entry.name))
    }

    /// The bytes of the METADATA file chosen by ``metadataEntry(distInfoMatches:)``, size and
    /// CRC-32 checked.
    public func readMetadata(
        distInfoMatches: (String) -> Bool, cancellation: CancellationToken? = nil
    ) throws -> Data {
        let entry = try metadataEntry(distInfoMatches: distInfoMatches)
        return try archive.readEntry(entry, maxSize: Self.maximumMetadataSize, cancellation: cancellation)
    }

    /// `X.dist-info` when `name` is exactly `X.dist-info/METADATA`.
    static func topLevelDistInfo(of name: String) -> String? {
        let parts = name.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[1] == "METADATA", parts[0].hasSuffix(".dist-info"),
              parts[0].count > ".dist-info".count else { return nil }
        return String(parts[0])
    }
}

