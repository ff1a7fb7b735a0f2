import CZlib
import Foundation

/// Builds ZIP archives (APPNOTE.TXT 6.3.10) in memory for tests: stored and deflated entries,
/// data descriptors, ZIP64 records and extra fields (forced even for tiny archives), comments,
/// non-UTF-8 names, and lies (wrong CRC, sizes, counts, offsets, names) to test hostile input.
public struct ZipBuilder {
    /// How an entry's data is stored.
    public enum Method: Sendable {
        case stored
        case deflated
    }

    /// One member and the ways to make it lie.
    public struct Entry: Sendable {
        public var name: String
        public var data: Data
        public var method: Method
        /// Name bytes to write instead of `name` in UTF-8 (for CP437 names).
        public var rawName: Data?
        /// Set flag bit 11; default: whether the name has non-ASCII characters and no `rawName`.
        public var utf8Flag: Bool?
        /// Flag bit 3: zero sizes and CRC in the local header, a data descriptor after the data.
        public var dataDescriptor = false
        /// ZIP64 extra fields with saturated 32-bit sizes and offset.
        public var zip64 = false
        /// Extra field bytes appended in the local header only (so its length differs from the central one).
        public var localExtra = Data()
        /// Name bytes for the local header only (a mismatch).
        public var localName: Data?
        /// Lies in the central directory.
        public var declaredCRC32: UInt32?
        public var declaredUncompressedSize: Int64?
        public var declaredCompressedSize: Int64?
        public var declaredMethod: UInt16?
        /// Offset to write in the central directory instead of the real one.
        public var declaredLocalHeaderOffset: Int64?

        public init(name: String, data: Data, method: Method = .deflated) {
            self.name = name
            self.data = data
            self.method = method
        }
    }

    /// Where the builder put things, for tests that patch bytes.
    public struct Layout: Sendable {
        public var localHeaderOffsets: [Int64] = []
        public var centralHeaderOffsets: [Int64] = []
        public var centralDirectoryOffset: Int64 = 0
        public var centralDirectorySize: Int64 = 0
        public var zip64RecordOffset: Int64?
        public var endRecordOffset: Int64 = 0
    }

    public var entries: [Entry] = []
    /// The archive comment (at most 65535 bytes).
    public var comment = Data()
    /// Write ZIP64 end of central directory record and locator, with saturated EOCD fields.
    public var zip64EndRecords = false
    /// Lies in the end records.
    public var declaredEntryCount: Int?
    public var declaredCentralDirectoryOffset: Int64?
    public var declaredCentralDirectorySize: Int64?
    /// Bytes written after the end record (garbage some tools append).
    public var trailingBytes = Data()

    public init() {}

    /// Appends an entry.
    public mutating func add(_ name: String, _ data: Data, method: Method = .deflated) {
        entries.append(Entry(name: name, data: data, method: method))
    }

    /// Appends an entry from UTF-8 text.
    public mutating func add(_ name: String, text: String, method: Method = .deflated) {
        add(name, Data(text.utf8), method: method)
    }

    /// The archive.
    public func build() -> Data { buildWithLayout().data }

    /// The archive and where its parts are.
    public func buildWithLayout() -> (data: Data, layout: Layout) {
        var out = Data()
        var layout = Layout()
        var central = Data()
        for entry in entries {
            let offset = Int64(out.count)
            layout.localHeaderOffsets.append(offset)
            let compressed = entry.method == .deflated ? Self.deflate(entry.data) : entry.data
            let crc = Self.crc32(entry.data)
            let nameBytes = entry.rawName ?? Data(entry.name.utf8)
            let nonASCII = entry.rawName == nil && entry.name.utf8.contains { $0 >= 0x80 }
            var flags: UInt16 = (entry.utf8Flag ?? nonASCII) ? 1 << 11 : 0
            if entry.dataDescriptor { flags |= 1 << 3 }
            let method: UInt16 = entry.method == .deflated ? 8 : 0
            let size = Int64(entry.data.count)
            let compressedSize = Int64(compressed.count)

            // Local file header (APPNOTE 4.3.7).
            let localName = entry.localName ?? nameBytes
            var localExtra = Data()
            if entry.zip64 {
                localExtra.appendLE(UInt16(1)); localExtra.appendLE(UInt16(16))
                localExtra.appendLE(UInt64(entry.dataDescriptor ? 0 : size))
                localExtra.appendLE(UInt64(entry.dataDescriptor ? 0 : compressedSize))
            }
            localExtra += entry.localExtra
            out.appendLE(UInt32(0x0403_4B50))
            out.appendLE(UInt16(entry.zip64 ? 45 : 20))
            out.appendLE(flags)
            out.appendLE(method)
            out.appendLE(UInt16(0x6000)); out.appendLE(UInt16(0x5821))
            out.appendLE(entry.dataDescriptor ? 0 : crc)
            let saturated = UInt32.max
            out.appendLE(entry.zip64 ? saturated : UInt32(entry.dataDescriptor ? 0 : compressedSize))
            out.appendLE(entry.zip64 ? saturated : UInt32(entry.dataDescriptor ? 0 : size))
            out.appendLE(UInt16(localName.count))
            out.appendLE(UInt16(localExtra.count))
            out += localName
            out += localExtra
            out += compressed
            if entry.dataDescriptor {
                out.appendLE(UInt32(0x0807_4B50))
                out.appendLE(crc)
                if entry.zip64 {
                    out.appendLE(UInt64(compressedSize)); out.appendLE(UInt64(size))
                } else {
                    out.appendLE(UInt32(compressedSize)); out.appendLE(UInt32(size))
                }
            }

            // Central directory file header (APPNOTE 4.3.12).
            let declaredSize = entry.declaredUncompressedSize ?? size
            let declaredCompressed = entry.declaredCompressedSize ?? compressedSize
            let declaredOffset = entry.declaredLocalHeaderOffset ?? offset
            let needsZip64 = entry.zip64 || declaredSize >= Int64(UInt32.max) || declaredCompressed >= Int64(UInt32.max)
            var centralExtra = Data()
            if needsZip64 {
                centralExtra.appendLE(UInt16(1)); centralExtra.appendLE(UInt16(24))
                centralExtra.appendLE(UInt64(declaredSize))
                centralExtra.appendLE(UInt64(declaredCompressed))
                centralExtra.appendLE(UInt64(declaredOffset))
            }
            layout.centralHeaderOffsets.append(Int64(central.count))
            central.appendLE(UInt32(0x0201_4B50))
            central.appendLE(UInt16(0x0314))
            central.appendLE(UInt16(needsZip64 ? 45 : 20))
            central.appendLE(flags)
            central.appendLE(entry.declaredMethod ?? method)
            central.appendLE(UInt16(0x6000)); central.appendLE(UInt16(0x5821))
            central.appendLE(entry.declaredCRC32 ?? crc)
            central.appendLE(needsZip64 ? saturated : UInt32(declaredCompressed))
            central.appendLE(needsZip64 ? saturated : UInt32(declaredSize))
            central.appendLE(UInt16(nameBytes.count))
            central.appendLE(UInt16(centralExtra.count))
            central.appendLE(UInt16(0))
            central.appendLE(UInt16(0))
            central.appendLE(UInt16(0))
            central.appendLE(UInt32(0o100644) << 16)
            central.appendLE(needsZip64 ? saturated : UInt32(declaredOffset))
            central += nameBytes
            central += centralExtra
        }
        let cdOffset = Int64(out.count)
        layout.centralDirectoryOffset = cdOffset
        layout.centralDirectorySize = Int64(central.count)
        layout.centralHeaderOffsets = layout.centralHeaderOffsets.map { $0 + cdOffset }
        out += central

        let count = declaredEntryCount ?? entries.count
        let cdSize = declaredCentralDirectorySize ?? Int64(central.count)
        let cdStart = declaredCentralDirectoryOffset ?? cdOffset
        if zip64EndRecords {
            let recordOffset = Int64(out.count)
            layout.zip64RecordOffset = recordOffset
            out.appendLE(UInt32(0x0606_4B50))
            out.appendLE(UInt64(44))
            out.appendLE(UInt16(0x032D)); out.appendLE(UInt16(45))
            out.appendLE(UInt32(0)); out.appendLE(UInt32(0))
            out.appendLE(UInt64(count)); out.appendLE(UInt64(count))
            out.appendLE(UInt64(cdSize)); out.appendLE(UInt64(cdStart))
            out.appendLE(UInt32(0x0706_4B50))
            out.appendLE(UInt32(0))
            out.appendLE(UInt64(recordOffset))
            out.appendLE(UInt32(1))
        }
        layout.endRecordOffset = Int64(out.count)
        out.appendLE(UInt32(0x0605_4B50))
        out.appendLE(UInt16(0)); out.appendLE(UInt16(0))
        out.appendLE(zip64EndRecords ? UInt16.max : UInt16(truncatingIfNeeded: count))
        out.appendLE(zip64EndRecords ? UInt16.max : UInt16(truncatingIfNeeded: count))
        out.appendLE(zip64EndRecords ? UInt32.max : UInt32(truncatingIfNeeded: cdSize))
        out.appendLE(zip64EndRecords ? UInt32.max : UInt32(truncatingIfNeeded: cdStart))
        out.appendLE(UInt16(comment.count))
        out += comment
        out += trailingBytes
        return (out, layout)
    }

    /// Raw deflate (zlib `windowBits` -15, level 9) of `data`.
    public static func deflate(_ data: Data) -> Data {
        var stream = z_stream()
        precondition(deflateInit2_(&stream, 9, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY, zlibVersion(),
                                   Int32(MemoryLayout<z_stream>.size)) == Z_OK)
        defer { deflateEnd(&stream) }
        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, uLong(data.count))) + 16)
        let produced: Int = data.withUnsafeBytes { input in
            output.withUnsafeMutableBufferPointer { buffer in
                stream.next_in = UnsafeMutablePointer(mutating: input.bindMemory(to: Bytef.self).baseAddress)
                stream.avail_in = uInt(input.count)
                stream.next_out = buffer.baseAddress
                stream.avail_out = uInt(buffer.count)
                precondition(CZlib.deflate(&stream, Z_FINISH) == Z_STREAM_END)
                return buffer.count - Int(stream.avail_out)
            }
        }
        return Data(output[0..<produced])
    }

    /// CRC-32 of `data` (zlib).
    public static func crc32(_ data: Data) -> UInt32 {
        data.withUnsafeBytes { raw in
            UInt32(CZlib.crc32(0, raw.bindMemory(to: Bytef.self).baseAddress, uInt(raw.count)))
        }
    }
}

extension Data {
    /// Appends `value` little-endian.
    public mutating func appendLE<T: FixedWidthInteger>(_ value: T) {
        Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) }
    }

    /// Overwrites the bytes at `offset` with `value` little-endian.
    public mutating func setLE<T: FixedWidthInteger>(_ value: T, at offset: Int64) {
        Swift.withUnsafeBytes(of: value.littleEndian) { bytes in
            replaceSubrange(startIndex + Int(offset) ..< startIndex + Int(offset) + bytes.count, with: bytes)
        }
    }
}
