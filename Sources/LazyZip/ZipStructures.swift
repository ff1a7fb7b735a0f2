import Foundation

// The records of a ZIP archive, after PKWARE's APPNOTE.TXT (version 6.3.10), section 4.3, named
// as ZIPFoundation names them. Each is parsed field by field with bounds-checked little-endian
// reads: a short or hostile buffer throws ``ZipError``, it never traps.

/// Bounds-checked little-endian reads over bytes that start at `baseOffset` in the archive.
struct LittleEndianReader {
    let bytes: Data
    let baseOffset: Int64
    let structure: String
    /// Offset in the archive of the structure being read, for messages.
    let structureOffset: Int64
    private(set) var position = 0

    init(_ bytes: Data, baseOffset: Int64, structure: String, position: Int = 0) {
        self.bytes = bytes
        self.baseOffset = baseOffset
        self.structure = structure
        self.position = position
        self.structureOffset = baseOffset + Int64(position)
    }

    var remaining: Int { bytes.count - position }

    private func index(_ length: Int) throws(ZipError) -> Int {
        guard length >= 0, position >= 0, length <= bytes.count - position else {
            throw .truncated(structure: structure, offset: structureOffset)
        }
        return bytes.startIndex + position
    }

    mutating func uint16() throws(ZipError) -> UInt16 {
        let start = try index(2)
        position += 2
        return UInt16(bytes[start]) | UInt16(bytes[start + 1]) << 8
    }

    mutating func uint32() throws(ZipError) -> UInt32 {
        let start = try index(4)
        position += 4
        var value: UInt32 = 0
        for byte in 0..<4 { value |= UInt32(bytes[start + byte]) << (8 * UInt32(byte)) }
        return value
    }

    mutating func uint64() throws(ZipError) -> UInt64 {
        let low = UInt64(try uint32())
        let high = UInt64(try uint32())
        return low | high << 32
    }

    mutating func bytes(_ count: Int) throws(ZipError) -> Data {
        let start = try index(count)
        position += count
        return Data(bytes[start ..< start + count])
    }

    mutating func skip(_ count: Int) throws(ZipError) {
        _ = try index(count)
        position += count
    }

    /// Reads a signature and throws ``ZipError/badSignature(structure:offset:expected:found:)`` when it differs.
    mutating func expectSignature(_ expected: UInt32) throws(ZipError) {
        let at = baseOffset + Int64(position)
        let found = try uint32()
        guard found == expected else {
            throw .badSignature(structure: structure, offset: at, expected: expected, found: found)
        }
    }
}

/// A ZIP64 value read from 8 bytes, refused when it cannot be a file offset or size.
private func fileQuantity(_ value: UInt64, _ structure: String, at offset: Int64) throws(ZipError) -> Int64 {
    guard value <= UInt64(Int64.max / 2) else { throw .truncated(structure: structure, offset: offset) }
    return Int64(value)
}

/// The end of central directory record (APPNOTE 4.3.16): where the central directory is and how
/// many entries it has. It closes the archive, followed only by a comment of up to 65535 bytes.
public struct EndOfCentralDirectoryRecord: Sendable, Equatable {
    public static let signature: UInt32 = 0x0605_4B50
    /// Length without the comment.
    public static let fixedLength = 22
    /// The longest comment, hence how far from the end the record can start: 65535 + 22 bytes.
    public static let maximumCommentLength = 65535

    public var numberOfDisk: UInt16
    public var numberOfDiskStart: UInt16
    public var totalNumberOfEntriesOnDisk: UInt16
    public var totalNumberOfEntriesInCentralDirectory: UInt16
    public var sizeOfCentralDirectory: UInt32
    public var offsetToStartOfCentralDirectory: UInt32
    public var comment: Data

    /// Parses the record at the start of `bytes`, which start at `offset` in the file.
    public init(parsing bytes: Data, at offset: Int64) throws(ZipError) {
        var reader = LittleEndianReader(bytes, baseOffset: offset, structure: "end of central directory record")
        try reader.expectSignature(Self.signature)
        numberOfDisk = try reader.uint16()
        numberOfDiskStart = try reader.uint16()
        totalNumberOfEntriesOnDisk = try reader.uint16()
        totalNumberOfEntriesInCentralDirectory = try reader.uint16()
        sizeOfCentralDirectory = try reader.uint32()
        offsetToStartOfCentralDirectory = try reader.uint32()
        let commentLength = Int(try reader.uint16())
        comment = try reader.bytes(commentLength)
    }

    /// Finds the record by scanning `tail` (the last bytes of the file, starting at `tailOffset`)
    /// backwards for its signature. A record whose comment ends exactly at the end of the file is
    /// preferred; failing that, the last one whose comment fits (trailing garbage is tolerated,
    /// as Python's `zipfile` does). Returns the record and its offset, or nil.
    public static func locate(in tail: Data, tailOffset: Int64) -> (record: EndOfCentralDirectoryRecord, offset: Int64)? {
        guard tail.count >= fixedLength else { return nil }
        let end = tail.count
        let lowest = max(0, end - fixedLength - maximumCommentLength)
        var fallback: (EndOfCentralDirectoryRecord, Int64)?
        var position = end - fixedLength
        while position >= lowest {
            let index = tail.startIndex + position
            if tail[index] == 0x50, tail[index + 1] == 0x4B, tail[index + 2] == 0x05, tail[index + 3] == 0x06 {
                let commentLength = Int(tail[index + 20]) | Int(tail[index + 21]) << 8
                let available = end - position - fixedLength
                if commentLength <= available,
                   let record = try? EndOfCentralDirectoryRecord(
                    parsing: tail[index...], at: tailOffset + Int64(position)) {
                    if commentLength == available { return (record, tailOffset + Int64(position)) }
                    if fallback == nil { fallback = (record, tailOffset + Int64(position)) }
                }
            }
            position -= 1
        }
        return fallback.map { (record: $0.0, offset: $0.1) }
    }
}

/// The ZIP64 end of central directory locator (APPNOTE 4.3.15): 20 bytes just before the end of
/// central directory record that point at the ZIP64 record.
public struct Zip64EndOfCentralDirectoryLocator: Sendable, Equatable {
    public static let signature: UInt32 = 0x0706_4B50
    public static let length = 20

    public var numberOfDiskWithZip64Record: UInt32
    public var offsetOfZip64EndOfCentralDirectoryRecord: Int64
    public var totalNumberOfDisks: UInt32

    public init(parsing bytes: Data, at offset: Int64) throws(ZipError) {
        let structure = "ZIP64 end of central directory locator"
        var reader = LittleEndianReader(bytes, baseOffset: offset, structure: structure)
        try reader.expectSignature(Self.signature)
        numberOfDiskWithZip64Record = try reader.uint32()
        offsetOfZip64EndOfCentralDirectoryRecord = try fileQuantity(try reader.uint64(), structure, at: offset)
        totalNumberOfDisks = try reader.uint32()
    }
}

/// The ZIP64 end of central directory record (APPNOTE 4.3.14): the 64-bit counts, size and
/// offset of the central directory, for archives past 4 GiB or 65535 entries (or written by
/// tools that always use ZIP64).
public struct Zip64EndOfCentralDirectoryRecord: Sendable, Equatable {
    public static let signature: UInt32 = 0x0606_4B50
    /// Length without the extensible data sector.
    public static let fixedLength = 56

    public var sizeOfRecord: UInt64
    public var versionMadeBy: UInt16
    public var versionNeededToExtract: UInt16
    public var numberOfDisk: UInt32
    public var numberOfDiskStart: UInt32
    public var totalNumberOfEntriesOnDisk: Int64
    public var totalNumberOfEntriesInCentralDirectory: Int64
    public var sizeOfCentralDirectory: Int64
    public var offsetToStartOfCentralDirectory: Int64

    public init(parsing bytes: Data, at offset: Int64) throws(ZipError) {
        let structure = "ZIP64 end of central directory record"
        var reader = LittleEndianReader(bytes, baseOffset: offset, structure: structure)
        try reader.expectSignature(Self.signature)
        sizeOfRecord = try reader.uint64()
        versionMadeBy = try reader.uint16()
        versionNeededToExtract = try reader.uint16()
        numberOfDisk = try reader.uint32()
        numberOfDiskStart = try reader.uint32()
        totalNumberOfEntriesOnDisk = try fileQuantity(try reader.uint64(), structure, at: offset)
        totalNumberOfEntriesInCentralDirectory = try fileQuantity(try reader.uint64(), structure, at: offset)
        sizeOfCentralDirectory = try fileQuantity(try reader.uint64(), structure, at: offset)
        offsetToStartOfCentralDirectory = try fileQuantity(try reader.uint64(), structure, at: offset)
    }
}

/// General purpose bit flags (APPNOTE 4.4.4) that change how an entry is read.
public enum ZipFlag {
    /// Bit 0: the entry is encrypted.
    public static let encrypted: UInt16 = 1 << 0
    /// Bit 3: sizes and CRC follow the data in a data descriptor; the central directory has them.
    public static let dataDescriptor: UInt16 = 1 << 3
    /// Bit 11 (language encoding flag): name and comment are UTF-8, not CP437.
    public static let utf8: UInt16 = 1 << 11
}

/// A central directory file header (APPNOTE 4.3.12): everything about one entry, with the sizes
/// and offset already taken from the ZIP64 extended information extra field (APPNOTE 4.5.3)
/// where the 32-bit fields hold 0xFFFFFFFF.
public struct CentralDirectoryFileHeader: Sendable, Equatable {
    public static let signature: UInt32 = 0x0201_4B50
    /// Length without name, extra field and comment.
    public static let fixedLength = 46
    /// Header ID of the ZIP64 extended information extra field.
    public static let zip64ExtraFieldID: UInt16 = 0x0001

    public var versionMadeBy: UInt16
    public var versionNeededToExtract: UInt16
    public var generalPurposeBitFlag: UInt16
    public var compressionMethod: UInt16
    public var lastModFileTime: UInt16
    public var lastModFileDate: UInt16
    public var crc32: UInt32
    public var compressedSize: Int64
    public var uncompressedSize: Int64
    public var diskNumberStart: UInt32
    public var internalFileAttributes: UInt16
    public var externalFileAttributes: UInt32
    public var relativeOffsetOfLocalHeader: Int64
    public var rawName: Data
    public var extraField: Data
    public var fileComment: Data
    /// ``rawName`` decoded: UTF-8 when flag bit 11 is set, CP437 (APPNOTE appendix D) otherwise.
    public var name: String
    /// Bytes the header takes in the central directory.
    public var length: Int

    /// Parses the header at `position` of `bytes`, which start at `offset` in the file.
    public init(parsing bytes: Data, at offset: Int64, position: Int = 0) throws(ZipError) {
        var reader = LittleEndianReader(
            bytes, baseOffset: offset, structure: "central directory file header", position: position)
        let start = offset + Int64(position)
        try reader.expectSignature(Self.signature)
        versionMadeBy = try reader.uint16()
        versionNeededToExtract = try reader.uint16()
        generalPurposeBitFlag = try reader.uint16()
        compressionMethod = try reader.uint16()
        lastModFileTime = try reader.uint16()
        lastModFileDate = try reader.uint16()
        crc32 = try reader.uint32()
        let compressed32 = try reader.uint32()
        let uncompressed32 = try reader.uint32()
        let nameLength = Int(try reader.uint16())
        let extraLength = Int(try reader.uint16())
        let commentLength = Int(try reader.uint16())
        let disk16 = try reader.uint16()
        internalFileAttributes = try reader.uint16()
        externalFileAttributes = try reader.uint32()
        let offset32 = try reader.uint32()
        rawName = try reader.bytes(nameLength)
        extraField = try reader.bytes(extraLength)
        fileComment = try reader.bytes(commentLength)
        length = reader.position - position
        guard let decoded = ZipText.decodeName(rawName, flags: generalPurposeBitFlag) else {
            throw .invalidName(offset: start)
        }
        name = decoded

        // APPNOTE 4.5.3: the ZIP64 field holds, in this order, only the values whose 32-bit
        // (16-bit for the disk) field is all ones.
        compressedSize = Int64(compressed32)
        uncompressedSize = Int64(uncompressed32)
        relativeOffsetOfLocalHeader = Int64(offset32)
        diskNumberStart = UInt32(disk16)
        let needsZip64 = uncompressed32 == .max || compressed32 == .max || offset32 == .max || disk16 == .max
        guard needsZip64 else { return }
        guard let zip64 = ZipExtraField.value(for: Self.zip64ExtraFieldID, in: extraField) else {
            throw .invalidZip64ExtraField(name: decoded)
        }
        var values = LittleEndianReader(zip64, baseOffset: start, structure: "ZIP64 extra field")
        do {
            if uncompressed32 == .max { uncompressedSize = try fileQuantity(try values.uint64(), "ZIP64 extra field", at: start) }
            if compressed32 == .max { compressedSize = try fileQuantity(try values.uint64(), "ZIP64 extra field", at: start) }
            if offset32 == .max { relativeOffsetOfLocalHeader = try fileQuantity(try values.uint64(), "ZIP64 extra field", at: start) }
            if disk16 == .max { diskNumberStart = try values.uint32() }
        } catch {
            throw .invalidZip64ExtraField(name: decoded)
        }
    }
}

/// A local file header (APPNOTE 4.3.7): the header in front of each entry's data. Its extra
/// field often differs in length from the central one, so the data starts at
/// `localHeaderOffset + length`, never at an offset computed from the central header. With flag
/// bit 3 its sizes and CRC are zero and the central directory's are the ones to use.
public struct LocalFileHeader: Sendable, Equatable {
    public static let signature: UInt32 = 0x0403_4B50
    /// Length without name and extra field.
    public static let fixedLength = 30

    public var versionNeededToExtract: UInt16
    public var generalPurposeBitFlag: UInt16
    public var compressionMethod: UInt16
    public var lastModFileTime: UInt16
    public var lastModFileDate: UInt16
    public var crc32: UInt32
    public var compressedSize: UInt32
    public var uncompressedSize: UInt32
    public var rawName: Data
    public var extraField: Data
    /// Bytes the header takes: where the entry's data starts, relative to the header.
    public var length: Int

    /// Parses the header at the start of `bytes`, which start at `offset` in the file.
    public init(parsing bytes: Data, at offset: Int64) throws(ZipError) {
        var reader = LittleEndianReader(bytes, baseOffset: offset, structure: "local file header")
        try reader.expectSignature(Self.signature)
        versionNeededToExtract = try reader.uint16()
        generalPurposeBitFlag = try reader.uint16()
        compressionMethod = try reader.uint16()
        lastModFileTime = try reader.uint16()
        lastModFileDate = try reader.uint16()
        crc32 = try reader.uint32()
        compressedSize = try reader.uint32()
        uncompressedSize = try reader.uint32()
        let nameLength = Int(try reader.uint16())
        let extraLength = Int(try reader.uint16())
        rawName = try reader.bytes(nameLength)
        extraField = try reader.bytes(extraLength)
        length = reader.position
    }
}

/// Extra fields (APPNOTE 4.5.1): a sequence of (header ID, data size, data) blocks.
enum ZipExtraField {
    /// The data of the first block with `id`, or nil. A malformed tail ends the walk.
    static func value(for id: UInt16, in extra: Data) -> Data? {
        var reader = LittleEndianReader(extra, baseOffset: 0, structure: "extra field")
        while reader.remaining >= 4 {
            guard let header = try? reader.uint16(), let size = try? reader.uint16(),
                  let data = try? reader.bytes(Int(size)) else { return nil }
            if header == id { return data }
        }
        return nil
    }
}

/// Decoding of entry names (APPNOTE 4.4.4 bit 11 and appendix D).
public enum ZipText {
    /// UTF-8 when bit 11 of `flags` is set (nil when invalid), else IBM code page 437, the ZIP
    /// default, as Python's `zipfile` decodes it (every byte maps to a character).
    public static func decodeName(_ raw: Data, flags: UInt16) -> String? {
        if flags & ZipFlag.utf8 != 0 { return String(validating: raw, as: UTF8.self) }
        if raw.allSatisfy({ $0 < 0x80 }) { return String(decoding: raw, as: UTF8.self) }
        var scalars = String.UnicodeScalarView()
        for byte in raw {
            scalars.append(byte < 0x80 ? Unicode.Scalar(byte) : cp437High[Int(byte) - 0x80])
        }
        return String(scalars)
    }

    /// Code page 437 characters for bytes 0x80...0xFF.
    private static let cp437High: [Unicode.Scalar] = Array(
        ("ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐"
            + "└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u{00A0}")
            .unicodeScalars)
}
