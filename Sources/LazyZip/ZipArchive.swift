import Foundation
import WorkScheduling

/// One member of a ZIP archive as its central directory describes it (APPNOTE 4.3.12), with
/// ZIP64 sizes and offset already resolved.
public struct ZipEntry: Sendable, Equatable {
    /// The path inside the archive, decoded (UTF-8 with flag bit 11, CP437 otherwise).
    public var name: String
    /// The name's bytes as stored.
    public var rawName: Data
    /// Offset of the entry's local file header.
    public var localHeaderOffset: Int64
    public var compressedSize: Int64
    public var uncompressedSize: Int64
    public var crc32: UInt32
    /// APPNOTE 4.4.5: 0 stored, 8 deflated.
    public var compressionMethod: UInt16
    /// General purpose bit flags (APPNOTE 4.4.4; see ``ZipFlag``).
    public var flags: UInt16
    /// MS-DOS time and date of last modification (APPNOTE 4.4.6).
    public var lastModFileTime: UInt16
    public var lastModFileDate: UInt16
    /// High byte: the host system (3 = Unix); for Unix the high 16 bits of
    /// ``externalFileAttributes`` are the `st_mode`.
    public var versionMadeBy: UInt16
    public var externalFileAttributes: UInt32
    /// Where the next entry's local header (or the central directory) starts: the end of the one
    /// request that brings this entry's local header, data and data descriptor.
    public var recordEnd: Int64

    /// The bytes to fetch to read this entry with one request.
    public var recordRange: Range<Int64> { localHeaderOffset ..< recordEnd }
    /// Whether the name ends with `/`.
    public var isDirectory: Bool { name.hasSuffix("/") }
    /// Flag bit 3: the sizes follow the data; the central directory's are used.
    public var hasDataDescriptor: Bool { flags & ZipFlag.dataDescriptor != 0 }
}

/// Where an archive's central directory lies, as its end records tell.
public struct CentralDirectoryLocation: Sendable, Equatable {
    /// The central directory's bytes in the file.
    public let range: Range<Int64>
    /// Entries the end record announces.
    public let entryCount: Int64
    /// Whether the count is the end record's 16-bit field (no ZIP64 record), which wraps past
    /// 65,535 entries: the directory is then walked by its size.
    public var entryCountIsSixteenBits = false
    /// The archive comment.
    public let comment: Data
    /// Bytes before the archive in the file (a self-extracting stub, or data prepended to a ZIP):
    /// the offsets the archive's records give are relative to this position. Usually 0.
    public let archiveStart: Int64
}

/// A ZIP archive (APPNOTE.TXT 6.3.10) read through a ``LazyFile``: the end of central directory
/// record, the ZIP64 records when present, and the central directory, parsed once at open; each
/// entry read later with one request.
///
/// Hostile input ends in a ``ZipError``: offsets and sizes are checked against the file before
/// anything is fetched or allocated, the central directory size and the entry count are capped,
/// entries may not overlap, and inflating stops at the declared size.
public struct ZipArchive: Sendable {
    /// Central directories above this size are refused (numpy's is 73 KB; 64 MiB allows about
    /// 500,000 entries with long names).
    public static let maximumCentralDirectorySize: Int64 = 64 * 1024 * 1024
    /// ``readEntry(_:maxSize:cancellation:)`` refuses entries declaring more than this unless
    /// the caller passes its own limit.
    public static let defaultMaximumEntrySize: Int64 = 1024 * 1024 * 1024
    /// Where the EOCD search starts: the record plus the longest comment.
    static let endOfCentralDirectorySearchLength = Int64(
        EndOfCentralDirectoryRecord.fixedLength + EndOfCentralDirectoryRecord.maximumCommentLength)

    /// The file the archive is read from.
    public let file: LazyFile
    /// The entries in central directory order.
    public let entries: [ZipEntry]
    /// Where the central directory lies.
    public let centralDirectoryRange: Range<Int64>
    /// The archive comment.
    public let comment: Data
    private let indexByName: [String: Int]

    /// Reads the end records and the central directory. When the end of the file is cached (a
    /// ``TailRead``), only the part of the central directory before it is fetched, with one request.
    public init(file: LazyFile, cancellation: CancellationToken? = nil) throws {
        try self.init(file: file, location: Self.locateCentralDirectory(in: file, cancellation: cancellation), cancellation: cancellation)
    }

    /// Reads the central directory at `location` (from ``locateCentralDirectory(in:cancellation:)``).
    init(file: LazyFile, location: CentralDirectoryLocation, cancellation: CancellationToken? = nil) throws {
        self.file = file
        comment = location.comment
        centralDirectoryRange = location.range
        let cdOffset = location.range.lowerBound
        let cdSize = Int64(location.range.count)
        let entryCount = location.entryCount

        let directory = try file.read(centralDirectoryRange, cancellation: cancellation)
        var headers: [CentralDirectoryFileHeader] = []
        headers.reserveCapacity(Int(entryCount))
        var position = 0
        // Past the counted headers, more may follow when the end record's 16-bit count wrapped
        // (more than 65,535 entries written without ZIP64): the directory is then walked to its
        // end, as Python's zipfile does, so no entry is silently left out.
        while headers.count < Int(entryCount)
            || (location.entryCountIsSixteenBits && Self.startsHeader(directory, at: position)) {
            guard directory.count - position >= CentralDirectoryFileHeader.fixedLength else {
                throw ZipError.entryCountInconsistent(claimed: entryCount, centralDirectorySize: cdSize)
            }
            let header = try CentralDirectoryFileHeader(parsing: directory, at: cdOffset, position: position)
            guard header.diskNumberStart == 0 else { throw ZipError.multiDiskArchive }
            headers.append(header)
            position += header.length
        }
        let walked = Int64(headers.count)
        guard walked == entryCount || walked % 0x1_0000 == entryCount || entryCount == 0xFFFF else {
            throw ZipError.entryCountMismatch(counted: entryCount, found: walked)
        }
        entries = try Self.makeEntries(headers, archiveStart: location.archiveStart, entryAreaEnd: cdOffset)
        var index: [String: Int] = [:]
        for (position, entry) in entries.enumerated() where index[entry.name] == nil { index[entry.name] = position }
        indexByName = index
    }

    /// Whether `bytes` hold a central directory header signature at `position`.
    private static func startsHeader(_ bytes: Data, at position: Int) -> Bool {
        guard position >= 0, bytes.count - position >= 4 else { return false }
        let start = bytes.startIndex + position
        return bytes[start] == 0x50 && bytes[start + 1] == 0x4B && bytes[start + 2] == 0x01 && bytes[start + 3] == 0x02
    }

    /// The first entry named `name`, or nil.
    public func entry(named name: String) -> ZipEntry? {
        indexByName[name].map { entries[$0] }
    }

    /// The uncompressed bytes of `entry`, read with one request from its local header to the next
    /// entry's (minus whatever is cached already), inflated, and checked against the declared size
    /// and CRC-32.
    ///
    /// - Parameter maxSize: refuse entries declaring more (default ``defaultMaximumEntrySize``).
    public func readEntry(_ entry: ZipEntry, maxSize: Int64? = nil, cancellation: CancellationToken? = nil) throws -> Data {
        try Self.readEntry(entry, from: file, maxSize: maxSize, cancellation: cancellation)
    }

    /// ``readEntry(_:maxSize:cancellation:)`` for an entry known without the whole archive (see
    /// ``CentralDirectorySuffix``).
    static func readEntry(
        _ entry: ZipEntry, from file: LazyFile, maxSize: Int64? = nil, cancellation: CancellationToken? = nil
    ) throws -> Data {
        guard entry.flags & ZipFlag.encrypted == 0 else { throw ZipError.encryptedEntry(name: entry.name) }
        guard entry.compressionMethod == 0 || entry.compressionMethod == 8 else {
            throw ZipError.unsupportedCompressionMethod(name: entry.name, method: entry.compressionMethod)
        }
        let limit = maxSize ?? Self.defaultMaximumEntrySize
        guard entry.uncompressedSize <= limit else {
            throw ZipError.entryTooLarge(name: entry.name, declaredSize: entry.uncompressedSize, limit: limit)
        }
        let record = try file.read(entry.recordRange, cancellation: cancellation)
        let local = try LocalFileHeader(parsing: record, at: entry.localHeaderOffset)
        guard local.rawName == entry.rawName else {
            throw ZipError.localHeaderNameMismatch(
                central: entry.name, local: ZipText.decodeName(local.rawName, flags: local.generalPurposeBitFlag) ?? "?")
        }
        let dataStart = Int64(local.length)
        guard entry.compressedSize <= Int64(record.count) - dataStart else {
            throw ZipError.entryOutOfBounds(
                name: entry.name, offset: entry.localHeaderOffset,
                end: entry.localHeaderOffset + dataStart + entry.compressedSize, limit: entry.recordEnd)
        }
        let compressed = record[record.startIndex + Int(dataStart) ..< record.startIndex + Int(dataStart + entry.compressedSize)]
        try cancellation.throwIfCancelled()
        let data: Data
        if entry.compressionMethod == 0 {
            data = Data(compressed)
        } else {
            data = try Inflate.inflateRaw(compressed, outputLimit: entry.uncompressedSize, name: entry.name)
        }
        guard Int64(data.count) == entry.uncompressedSize else {
            throw ZipError.sizeMismatch(name: entry.name, declared: entry.uncompressedSize, actual: Int64(data.count))
        }
        let crc = Inflate.crc32(data)
        guard crc == entry.crc32 else { throw ZipError.crcMismatch(name: entry.name, declared: entry.crc32, actual: crc) }
        return data
    }

    /// Where the central directory lies, from the end of central directory record and, when
    /// present, the ZIP64 records (checked against the file size and the caps).
    ///
    /// The directory is taken to end where the end records begin, as Python's `zipfile` does: when
    /// the records place it earlier, the difference is data prepended to the archive, and every
    /// offset of the archive is shifted by it (``CentralDirectoryLocation/archiveStart``).
    public static func locateCentralDirectory(
        in file: LazyFile, cancellation: CancellationToken? = nil
    ) throws -> CentralDirectoryLocation {
        let (eocd, eocdOffset) = try locateEndRecord(in: file, cancellation: cancellation)
        var structuresStart = eocdOffset
        var cdOffset = Int64(eocd.offsetToStartOfCentralDirectory)
        var cdSize = Int64(eocd.sizeOfCentralDirectory)
        var entryCount = Int64(eocd.totalNumberOfEntriesInCentralDirectory)
        var disks = (eocd.numberOfDisk == 0 && eocd.numberOfDiskStart == 0)
        let zip64 = try readZip64Record(in: file, eocd: eocd, eocdOffset: eocdOffset, cancellation: cancellation)
        let hasZip64 = zip64 != nil
        if let zip64 {
            structuresStart = zip64.offset
            cdOffset = zip64.record.offsetToStartOfCentralDirectory
            cdSize = zip64.record.sizeOfCentralDirectory
            entryCount = zip64.record.totalNumberOfEntriesInCentralDirectory
            disks = zip64.record.numberOfDisk == 0 && zip64.record.numberOfDiskStart == 0
        }
        guard disks else { throw ZipError.multiDiskArchive }
        guard cdOffset >= 0, cdSize >= 0, cdOffset <= structuresStart, cdSize <= structuresStart - cdOffset else {
            throw ZipError.centralDirectoryOutOfBounds(offset: cdOffset, size: cdSize, fileSize: file.size)
        }
        let archiveStart = structuresStart - cdSize - cdOffset
        guard cdSize <= maximumCentralDirectorySize else {
            throw ZipError.centralDirectoryTooLarge(size: cdSize, limit: maximumCentralDirectorySize)
        }
        guard entryCount <= cdSize / Int64(CentralDirectoryFileHeader.fixedLength) else {
            throw ZipError.entryCountInconsistent(claimed: entryCount, centralDirectorySize: cdSize)
        }
        var location = CentralDirectoryLocation(
            range: structuresStart - cdSize ..< structuresStart, entryCount: entryCount, comment: eocd.comment,
            archiveStart: archiveStart)
        location.entryCountIsSixteenBits = !hasZip64
        return location
    }

    /// Finds the end of central directory record in the cached tail, or else in the last
    /// 65557 bytes (one more request, only for archives with long comments and a short tail).
    private static func locateEndRecord(
        in file: LazyFile, cancellation: CancellationToken?
    ) throws -> (EndOfCentralDirectoryRecord, Int64) {
        let searchStart = max(0, file.size - endOfCentralDirectorySearchLength)
        if let cachedTail = file.cachedIntervals.last, cachedTail.upperBound == file.size {
            let start = max(cachedTail.lowerBound, searchStart)
            let bytes = try file.read(start ..< file.size, cancellation: cancellation)
            if let found = EndOfCentralDirectoryRecord.locate(in: bytes, tailOffset: start) { return found }
            if start == searchStart { throw ZipError.endOfCentralDirectoryNotFound(fileSize: file.size) }
        }
        let bytes = try file.read(searchStart ..< file.size, cancellation: cancellation)
        guard let found = EndOfCentralDirectoryRecord.locate(in: bytes, tailOffset: searchStart) else {
            throw ZipError.endOfCentralDirectoryNotFound(fileSize: file.size)
        }
        return found
    }

    /// The ZIP64 end of central directory record when a locator precedes the EOCD. The locator is
    /// looked for when cached (it is, after a tail read) or when the EOCD's fields are saturated.
    /// The record is looked for right before the locator first (where writers put it, and where it
    /// is when data was prepended to the archive, which shifts the offset the locator gives), then
    /// at that offset.
    private static func readZip64Record(
        in file: LazyFile, eocd: EndOfCentralDirectoryRecord, eocdOffset: Int64, cancellation: CancellationToken?
    ) throws -> (record: Zip64EndOfCentralDirectoryRecord, offset: Int64)? {
        let locatorLength = Int64(Zip64EndOfCentralDirectoryLocator.length)
        guard eocdOffset >= locatorLength else { return nil }
        let locatorRange = eocdOffset - locatorLength ..< eocdOffset
        let saturated = eocd.totalNumberOfEntriesInCentralDirectory == .max || eocd.sizeOfCentralDirectory == .max
            || eocd.offsetToStartOfCentralDirectory == .max
        guard saturated || file.isCached(locatorRange) else { return nil }
        let locatorBytes = try file.read(locatorRange, cancellation: cancellation)
        guard let locator = try? Zip64EndOfCentralDirectoryLocator(parsing: locatorBytes, at: locatorRange.lowerBound) else {
            return nil
        }
        let recordOffset = locator.offsetOfZip64EndOfCentralDirectoryRecord
        let recordLength = Int64(Zip64EndOfCentralDirectoryRecord.fixedLength)
        guard recordOffset >= 0, recordOffset <= locatorRange.lowerBound - recordLength else {
            throw ZipError.centralDirectoryOutOfBounds(offset: recordOffset, size: recordLength, fileSize: file.size)
        }
        let adjacentOffset = locatorRange.lowerBound - recordLength
        if adjacentOffset != recordOffset {
            let bytes = try file.read(adjacentOffset ..< locatorRange.lowerBound, cancellation: cancellation)
            if let record = try? Zip64EndOfCentralDirectoryRecord(parsing: bytes, at: adjacentOffset),
               case let (end, overflow) = record.offsetToStartOfCentralDirectory
                   .addingReportingOverflow(record.sizeOfCentralDirectory),
               !overflow, end <= recordOffset
            {
                return (record, adjacentOffset)
            }
        }
        let recordBytes = try file.read(recordOffset ..< recordOffset + recordLength, cancellation: cancellation)
        return (try Zip64EndOfCentralDirectoryRecord(parsing: recordBytes, at: recordOffset), recordOffset)
    }

    /// Entries from headers, each checked to lie before the central directory and not to overlap
    /// the next one, with ``ZipEntry/recordEnd`` set to the next entry's offset. The headers'
    /// offsets are relative to `archiveStart`; the entries' are positions in the file.
    static func makeEntries(
        _ headers: [CentralDirectoryFileHeader], archiveStart: Int64, entryAreaEnd: Int64
    ) throws -> [ZipEntry] {
        var entries = headers.map { header in
            ZipEntry(
                name: header.name, rawName: header.rawName,
                localHeaderOffset: archiveStart + header.relativeOffsetOfLocalHeader,
                compressedSize: header.compressedSize, uncompressedSize: header.uncompressedSize, crc32: header.crc32,
                compressionMethod: header.compressionMethod, flags: header.generalPurposeBitFlag,
                lastModFileTime: header.lastModFileTime, lastModFileDate: header.lastModFileDate,
                versionMadeBy: header.versionMadeBy, externalFileAttributes: header.externalFileAttributes,
                recordEnd: entryAreaEnd)
        }
        let byOffset = entries.indices.sorted { entries[$0].localHeaderOffset < entries[$1].localHeaderOffset }
        for (rank, index) in byOffset.enumerated() {
            let entry = entries[index]
            let next = rank + 1 < byOffset.count ? entries[byOffset[rank + 1]] : nil
            let limit = next?.localHeaderOffset ?? entryAreaEnd
            // The least the entry takes: local header with its name, then the data.
            let minimalEnd = entry.localHeaderOffset + Int64(LocalFileHeader.fixedLength)
                + Int64(entry.rawName.count) + entry.compressedSize
            guard minimalEnd <= entryAreaEnd else {
                throw ZipError.entryOutOfBounds(
                    name: entry.name, offset: entry.localHeaderOffset, end: minimalEnd, limit: entryAreaEnd)
            }
            if let next, minimalEnd > next.localHeaderOffset { throw ZipError.overlappingEntries(entry.name, next.name) }
            entries[index].recordEnd = limit
        }
        return entries
    }
}
