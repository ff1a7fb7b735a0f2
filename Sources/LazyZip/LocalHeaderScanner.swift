import Foundation

/// Finds a wheel's `X.dist-info/METADATA` by walking the archive's local file headers front to
/// back (APPNOTE 4.3.7, 4.3.6) as a download of the whole file arrives, for servers that ignore
/// byte ranges: a wheel that puts `.dist-info/` first is then read only as far as METADATA.
///
/// Each local header gives its member's compressed size, so the walk skips from one member to
/// the next without inflating anything but METADATA, whose size and CRC-32 are checked against
/// its local header. The walk gives up, leaving the caller to read the whole file and its central
/// directory, at the first thing it cannot step over: a member whose sizes follow its data (flag
/// bit 3), ZIP64 sizes, or anything that is not a local header (the central directory, when no
/// member matched).
public struct LocalHeaderScanner: Sendable {
    /// Whether a top-level `X.dist-info` directory is the one wanted.
    public let distInfoMatches: @Sendable (String) -> Bool
    /// METADATA declaring more bytes than this is refused.
    public let maxSize: Int64
    /// Offset of the next local header.
    private var position: Int64 = 0
    /// Set once the walk cannot go on.
    public private(set) var gaveUp = false

    public init(maxSize: Int64 = LazyWheel.maximumMetadataSize, distInfoMatches: @escaping @Sendable (String) -> Bool) {
        self.maxSize = maxSize
        self.distInfoMatches = distInfoMatches
    }

    /// Walks as far as the first `available` bytes of the file allow (`read` gives any range of
    /// them). Returns METADATA's bytes once they are all there, nil while more bytes are needed or
    /// after the walk gave up (see ``gaveUp``). Throws ``ZipError`` for a METADATA that cannot be
    /// read (corrupt, wrong CRC-32, too large).
    public mutating func advance(available: Int64, read: (Range<Int64>) throws -> Data) throws -> Data? {
        while !gaveUp {
            let fixed = Int64(LocalFileHeader.fixedLength)
            guard available - position >= fixed else { return nil }
            let start = try read(position ..< position + fixed)
            guard start.littleEndianUInt32(at: 0) == LocalFileHeader.signature else {
                gaveUp = true
                return nil
            }
            let headerLength = fixed + Int64(start.littleEndianUInt16(at: 26)) + Int64(start.littleEndianUInt16(at: 28))
            guard available - position >= headerLength else { return nil }
            let header = try LocalFileHeader(parsing: try read(position ..< position + headerLength), at: position)
            guard header.generalPurposeBitFlag & ZipFlag.dataDescriptor == 0,
                  header.compressedSize != UInt32.max, header.uncompressedSize != UInt32.max
            else {
                gaveUp = true
                return nil
            }
            let dataStart = position + headerLength
            let dataEnd = dataStart + Int64(header.compressedSize)
            let name = ZipText.decodeName(header.rawName, flags: header.generalPurposeBitFlag) ?? ""
            if let directory = LazyWheel.topLevelDistInfo(of: name), distInfoMatches(directory) {
                guard available >= dataEnd else { return nil }
                return try Self.member(header, name: name, data: try read(dataStart ..< dataEnd), maxSize: maxSize)
            }
            position = dataEnd
        }
        return nil
    }

    /// The member's bytes, inflated and checked against its local header's size and CRC-32.
    private static func member(_ header: LocalFileHeader, name: String, data: Data, maxSize: Int64) throws -> Data {
        guard header.generalPurposeBitFlag & ZipFlag.encrypted == 0 else { throw ZipError.encryptedEntry(name: name) }
        let declared = Int64(header.uncompressedSize)
        guard declared <= maxSize else { throw ZipError.entryTooLarge(name: name, declaredSize: declared, limit: maxSize) }
        let bytes: Data
        switch header.compressionMethod {
        case 0: bytes = data
        case 8: bytes = try Inflate.inflateRaw(data, outputLimit: declared, name: name)
        default: throw ZipError.unsupportedCompressionMethod(name: name, method: header.compressionMethod)
        }
        guard Int64(bytes.count) == declared else {
            throw ZipError.sizeMismatch(name: name, declared: declared, actual: Int64(bytes.count))
        }
        let crc = Inflate.crc32(bytes)
        guard crc == header.crc32 else { throw ZipError.crcMismatch(name: name, declared: header.crc32, actual: crc) }
        return bytes
    }
}

extension Data {
    fileprivate func littleEndianUInt16(at offset: Int) -> UInt16 {
        UInt16(self[startIndex + offset]) | UInt16(self[startIndex + offset + 1]) << 8
    }

    fileprivate func littleEndianUInt32(at offset: Int) -> UInt32 {
        UInt32(littleEndianUInt16(at: offset)) | UInt32(littleEndianUInt16(at: offset + 2)) << 16
    }
}
