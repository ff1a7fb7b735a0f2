import Foundation
import LazyZip
import TestSupport
import Testing

/// Opens `data` as a remote file would be: one tail read of `tail` bytes, then the archive.
func openArchive(_ data: Data, tail: Int = 16 * 1024) throws -> (ZipArchive, MemoryByteSource) {
    let source = MemoryByteSource(data)
    let file = try LazyFile(source: source, tail: try source.readTail(length: tail, cancellation: nil))
    return (try ZipArchive(file: file), source)
}

/// Text of `count` bytes that compresses poorly, so archives get big.
func noise(_ count: Int, seed: UInt64 = 7) -> Data {
    var generator = SplitMix64(seed: seed)
    return Data((0..<count).map { _ in UInt8(truncatingIfNeeded: generator.next()) })
}

@Suite struct ZipArchiveTests {
    @Test func readsStoredAndDeflatedEntries() throws {
        var builder = ZipBuilder()
        builder.add("pkg/__init__.py", text: "print('hi')\n", method: .stored)
        builder.add("pkg/data.txt", text: String(repeating: "lazy wheel ", count: 500), method: .deflated)
        builder.add("pkg/empty/", Data(), method: .stored)
        builder.add("pkg/empty.txt", Data(), method: .deflated)
        let (archive, _) = try openArchive(builder.build())
        #expect(archive.entries.map(\.name) == ["pkg/__init__.py", "pkg/data.txt", "pkg/empty/", "pkg/empty.txt"])
        let data = try #require(archive.entry(named: "pkg/data.txt"))
        #expect(data.compressionMethod == 8)
        #expect(data.compressedSize < data.uncompressedSize)
        #expect(try archive.readEntry(data) == Data(String(repeating: "lazy wheel ", count: 500).utf8))
        #expect(try archive.readEntry(archive.entries[0]) == Data("print('hi')\n".utf8))
        #expect(archive.entries[2].isDirectory)
        #expect(try archive.readEntry(archive.entries[2]).isEmpty)
        #expect(try archive.readEntry(archive.entries[3]).isEmpty)
        #expect(archive.entry(named: "missing") == nil)
    }

    @Test func dataDescriptorSizesComeFromTheCentralDirectory() throws {
        var builder = ZipBuilder()
        for (index, method) in [ZipBuilder.Method.deflated, .stored].enumerated() {
            var entry = ZipBuilder.Entry(name: "file\(index).txt", data: Data("descriptor \(index)\n".utf8), method: method)
            entry.dataDescriptor = true
            builder.entries.append(entry)
        }
        let (archive, _) = try openArchive(builder.build())
        #expect(archive.entries.allSatisfy { $0.hasDataDescriptor })
        #expect(try archive.readEntry(archive.entries[0]) == Data("descriptor 0\n".utf8))
        #expect(try archive.readEntry(archive.entries[1]) == Data("descriptor 1\n".utf8))
    }

    @Test(arguments: [false, true])
    func zip64RecordsAndExtraFields(dataDescriptor: Bool) throws {
        var builder = ZipBuilder()
        builder.zip64EndRecords = true
        for index in 0..<3 {
            var entry = ZipBuilder.Entry(name: "z\(index).bin", data: noise(1000 + index, seed: UInt64(index)))
            entry.zip64 = true
            entry.dataDescriptor = dataDescriptor
            builder.entries.append(entry)
        }
        let (data, layout) = builder.buildWithLayout()
        let (archive, _) = try openArchive(data)
        #expect(archive.entries.count == 3)
        #expect(archive.centralDirectoryRange.lowerBound == layout.centralDirectoryOffset)
        for (index, entry) in archive.entries.enumerated() {
            #expect(entry.localHeaderOffset == layout.localHeaderOffsets[index])
            #expect(entry.uncompressedSize == Int64(1000 + index))
            #expect(try archive.readEntry(entry) == noise(1000 + index, seed: UInt64(index)))
        }
    }

    @Test func archiveCommentsIncludingTheLongestOne() throws {
        for length in [0, 10, 30_000, 65_535] {
            var builder = ZipBuilder()
            builder.add("a.txt", text: "a")
            // A comment that contains the EOCD signature must not confuse the backwards scan.
            var comment = Data("PK\u{05}\u{06}".utf8) + Data(repeating: 0x20, count: 40)
            comment = Data((comment + Data(repeating: 0x2E, count: length)).prefix(length))
            builder.comment = comment
            let data = builder.build()
            let (archive, source) = try openArchive(data, tail: 4096)
            #expect(archive.comment == comment)
            if length + 22 <= 4096 {
                #expect(source.requests == [.tail(length: 4096)])
            } else {
                // A comment longer than the tail costs one more request, for the last 65557 bytes,
                // and one more for the central directory when even those do not reach it.
                let size = Int64(data.count)
                #expect(source.requests.prefix(2) == [.tail(length: 4096), .range(max(0, size - 65557) ..< size - 4096)])
                #expect(source.requestCount <= 3)
            }
            #expect(try archive.readEntry(archive.entries[0]) == Data("a".utf8))
        }
    }

    @Test func trailingBytesAfterTheEndRecordAreTolerated() throws {
        var builder = ZipBuilder()
        builder.add("a.txt", text: "abc")
        builder.trailingBytes = Data(repeating: 0, count: 100)
        let (archive, _) = try openArchive(builder.build())
        #expect(try archive.readEntry(archive.entries[0]) == Data("abc".utf8))
    }

    /// Data before the archive (a self-extracting stub): the records' offsets are relative to the
    /// archive's start, found as Python's `zipfile` finds it, from where the end records are.
    @Test(arguments: [(false, 1), (false, 40_000), (true, 3), (true, 40_000)])
    func dataPrependedToTheArchive(zip64: Bool, prefixLength: Int) throws {
        var builder = ZipBuilder()
        builder.zip64EndRecords = zip64
        for index in 0..<3 {
            var entry = ZipBuilder.Entry(name: "p\(index).bin", data: noise(5000 + index, seed: UInt64(index)))
            entry.zip64 = zip64
            builder.entries.append(entry)
        }
        let (archiveData, layout) = builder.buildWithLayout()
        let prefix = Int64(prefixLength)
        let (archive, _) = try openArchive(Data(repeating: 0x7F, count: prefixLength) + archiveData)
        #expect(archive.centralDirectoryRange.lowerBound == prefix + layout.centralDirectoryOffset)
        for (index, entry) in archive.entries.enumerated() {
            #expect(entry.localHeaderOffset == prefix + layout.localHeaderOffsets[index])
            #expect(try archive.readEntry(entry) == noise(5000 + index, seed: UInt64(index)))
        }
    }

    @Test func namesInUTF8AndCodePage437() throws {
        var builder = ZipBuilder()
        builder.add("naïve/ü.txt", text: "utf8")
        var cp437 = ZipBuilder.Entry(name: "", data: Data("cp437".utf8))
        cp437.rawName = Data([0x6D, 0x81, 0x6C, 0x6C, 0x65, 0x72, 0x2E, 0x74, 0x78, 0x74])  // "m\u{81}ller.txt"
        builder.entries.append(cp437)
        var plain = ZipBuilder.Entry(name: "plain.txt", data: Data("ascii".utf8))
        plain.utf8Flag = false
        builder.entries.append(plain)
        let (archive, _) = try openArchive(builder.build())
        #expect(archive.entries.map(\.name) == ["naïve/ü.txt", "müller.txt", "plain.txt"])
        #expect(archive.entries[0].flags & ZipFlag.utf8 != 0)
        #expect(archive.entries[1].flags & ZipFlag.utf8 == 0)
        #expect(try archive.readEntry(#require(archive.entry(named: "müller.txt"))) == Data("cp437".utf8))
        #expect(ZipText.decodeName(Data([0xE1, 0xFF]), flags: 0) == "ß\u{00A0}")
        #expect(ZipText.decodeName(Data([0xFF]), flags: ZipFlag.utf8) == nil)
    }

    @Test func localExtraFieldMayDifferFromTheCentralOne() throws {
        var builder = ZipBuilder()
        var entry = ZipBuilder.Entry(name: "padded.txt", data: Data("aligned".utf8), method: .stored)
        entry.localExtra = Data([0x34, 0x12, 0x03, 0x00, 0, 0, 0])  // an unknown 3-byte extra block
        builder.entries.append(entry)
        builder.add("next.txt", text: "next")
        let (archive, _) = try openArchive(builder.build())
        #expect(try archive.readEntry(archive.entries[0]) == Data("aligned".utf8))
        #expect(try archive.readEntry(archive.entries[1]) == Data("next".utf8))
    }

    @Test func oneRequestPerEntryEndingAtTheNextEntry() throws {
        var builder = ZipBuilder()
        for index in 0..<4 { builder.add("blob\(index)", noise(20_000, seed: UInt64(index)), method: .stored) }
        let (data, layout) = builder.buildWithLayout()
        let (archive, source) = try openArchive(data, tail: 1024)
        #expect(source.requestCount == 1)
        #expect(try archive.readEntry(archive.entries[1]) == noise(20_000, seed: 1))
        #expect(source.requests.last == .range(layout.localHeaderOffsets[1] ..< layout.localHeaderOffsets[2]))
        #expect(archive.entries[3].recordEnd == layout.centralDirectoryOffset)
        #expect(try archive.readEntry(archive.entries[1]) == noise(20_000, seed: 1))
        #expect(source.requestCount == 2, "the second read is a cache hit")
    }

    @Test func centralDirectoryLongerThanTheTailCostsOneRequest() throws {
        var builder = ZipBuilder()
        for index in 0..<400 {
            builder.add("package/module_with_a_rather_long_name_\(index).py", text: "x = \(index)\n")
        }
        let (data, layout) = builder.buildWithLayout()
        #expect(layout.centralDirectorySize > 20_000)
        let (archive, source) = try openArchive(data, tail: 4096)
        #expect(archive.entries.count == 400)
        let tailStart = Int64(data.count - 4096)
        #expect(source.requests == [.tail(length: 4096), .range(layout.centralDirectoryOffset ..< tailStart)])
        #expect(try archive.readEntry(archive.entries[399]) == Data("x = 399\n".utf8))
    }

    @Test func structuresParseFieldByField() throws {
        var builder = ZipBuilder()
        builder.add("a", text: "abc", method: .stored)
        builder.comment = Data("hello".utf8)
        let (data, layout) = builder.buildWithLayout()
        let eocd = try EndOfCentralDirectoryRecord(parsing: data[Int(layout.endRecordOffset)...], at: layout.endRecordOffset)
        #expect(eocd.totalNumberOfEntriesInCentralDirectory == 1)
        #expect(Int64(eocd.offsetToStartOfCentralDirectory) == layout.centralDirectoryOffset)
        #expect(eocd.comment == Data("hello".utf8))
        let central = try CentralDirectoryFileHeader(parsing: data, at: 0, position: Int(layout.centralDirectoryOffset))
        #expect(central.name == "a")
        #expect(central.crc32 == Inflate.crc32(Data("abc".utf8)))
        #expect(central.length == 47)
        let local = try LocalFileHeader(parsing: data, at: 0)
        #expect(local.length == 31)
        #expect(local.rawName == Data("a".utf8))
        #expect(throws: ZipError.truncated(structure: "local file header", offset: 0)) {
            try LocalFileHeader(parsing: data.prefix(20), at: 0)
        }
    }
}
