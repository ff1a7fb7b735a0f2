import Foundation
import LazyZip
import TestSupport
import Testing
import WorkScheduling

/// A file of `size` zero bytes ending with `tail`, never held whole (to fake huge archives).
final class HugeByteSource: ByteSource {
    let displayName = "huge"
    let size: Int64
    let tail: Data
    init(size: Int64, tail: Data) { self.size = size; self.tail = tail }
    func readTail(length: Int, cancellation: CancellationToken?) throws -> TailRead {
        let start = max(0, size - Int64(length))
        return TailRead(totalSize: size, offset: start, bytes: try read(start ..< size, cancellation: cancellation))
    }
    func read(_ range: Range<Int64>, cancellation: CancellationToken?) throws -> Data {
        let tailStart = size - Int64(tail.count)
        return Data(range.map { $0 >= tailStart ? tail[Int($0 - tailStart)] : 0 })
    }
}

@Suite struct CorruptArchiveTests {
    /// Two small entries, with the layout for patching.
    func sample(names: [String] = ["first.txt", "second.txt"]) -> (Data, ZipBuilder.Layout) {
        var builder = ZipBuilder()
        for name in names { builder.add(name, text: "contents of \(name)\n") }
        return builder.buildWithLayout()
    }

    func openError(_ data: Data, tail: Int = 16 * 1024) -> (any Error)? {
        do {
            _ = try openArchive(data, tail: tail)
            return nil
        } catch { return error }
    }

    @Test func truncatedFiles() {
        let (data, layout) = sample()
        #expect(openError(Data()) as? ZipError == .endOfCentralDirectoryNotFound(fileSize: 0))
        #expect(openError(Data("not a zip".utf8)) as? ZipError == .endOfCentralDirectoryNotFound(fileSize: 9))
        // The end cut off: no end record.
        let cut = data.prefix(data.count - 5)
        #expect(openError(cut) as? ZipError == .endOfCentralDirectoryNotFound(fileSize: Int64(cut.count)))
        // The start cut off: the central directory offset now points past its own records.
        let headless = data.suffix(from: Int(layout.localHeaderOffsets[1]))
        #expect(openError(Data(headless)) is ZipError)
        if case .centralDirectoryOutOfBounds? = openError(Data(headless)) as? ZipError {} else {
            Issue.record("expected centralDirectoryOutOfBounds")
        }
    }

    @Test func centralDirectoryOffsetOrSizeBeyondTheFile() {
        var builder = ZipBuilder()
        builder.add("a", text: "a")
        builder.declaredCentralDirectoryOffset = 1_000_000_000
        if case .centralDirectoryOutOfBounds? = openError(builder.build()) as? ZipError {} else { Issue.record("offset") }
        builder.declaredCentralDirectoryOffset = nil
        builder.declaredCentralDirectorySize = 4_000_000_000
        if case .centralDirectoryOutOfBounds? = openError(builder.build()) as? ZipError {} else { Issue.record("size") }
    }

    @Test func prependedDataWithAZip64RecordPlacingTheDirectoryBeyondItIsAnError() {
        var builder = ZipBuilder()
        builder.zip64EndRecords = true
        builder.add("a.txt", text: "abc")
        builder.declaredCentralDirectoryOffset = Int64.max / 2 - 10
        #expect(throws: ZipError.self) { try openArchive(Data(repeating: 1, count: 100) + builder.build()) }
    }

    @Test func hugeCentralDirectoryIsRefusedBeforeFetching() throws {
        var builder = ZipBuilder()
        builder.declaredCentralDirectoryOffset = 0
        builder.declaredCentralDirectorySize = 100 * 1024 * 1024
        builder.declaredEntryCount = 10
        let source = HugeByteSource(size: 200 * 1024 * 1024, tail: builder.build())
        #expect(throws: ZipError.centralDirectoryTooLarge(size: 100 * 1024 * 1024, limit: ZipArchive.maximumCentralDirectorySize)) {
            _ = try LazyWheel.open(source: source)
        }
    }

    @Test func entryCountLies() {
        var builder = ZipBuilder()
        builder.add("a", text: "a")
        builder.add("b", text: "b")
        builder.declaredEntryCount = 60_000
        #expect(openError(builder.build()) as? ZipError == .entryCountInconsistent(claimed: 60_000, centralDirectorySize: 94))
        // A count the size could hold, but the headers run out first.
        var long = ZipBuilder()
        long.add(String(repeating: "n", count: 60), text: "a")
        long.add(String(repeating: "m", count: 60), text: "b")
        long.declaredEntryCount = 3
        #expect(openError(long.build()) as? ZipError == .entryCountInconsistent(claimed: 3, centralDirectorySize: 212))
    }

    @Test func nameLengthOutOfBounds() {
        var (data, layout) = sample()
        data.setLE(UInt16(60_000), at: layout.centralHeaderOffsets[1] + 28)
        #expect(openError(data) as? ZipError == .truncated(structure: "central directory file header", offset: layout.centralHeaderOffsets[1]))
    }

    @Test func invalidUTF8NameWithTheUTF8Flag() {
        var builder = ZipBuilder()
        var entry = ZipBuilder.Entry(name: "", data: Data("x".utf8))
        entry.rawName = Data([0x66, 0xFF, 0xFE])
        entry.utf8Flag = true
        builder.entries.append(entry)
        let (data, layout) = builder.buildWithLayout()
        #expect(openError(data) as? ZipError == .invalidName(offset: layout.centralHeaderOffsets[0]))
    }

    @Test func overlappingEntries() {
        var builder = ZipBuilder()
        builder.add("first.txt", text: "one")
        var second = ZipBuilder.Entry(name: "second.txt", data: Data("two".utf8))
        second.declaredLocalHeaderOffset = 0
        builder.entries.append(second)
        #expect(openError(builder.build()) as? ZipError == .overlappingEntries("second.txt", "first.txt")
            || openError(builder.build()) as? ZipError == .overlappingEntries("first.txt", "second.txt"))

        var bomb = ZipBuilder()
        var big = ZipBuilder.Entry(name: "big", data: Data("one".utf8), method: .stored)
        big.declaredCompressedSize = 60
        big.declaredUncompressedSize = 60
        bomb.entries.append(big)
        bomb.add("next", text: "two")
        bomb.add("last", text: "three")
        #expect(openError(bomb.build()) as? ZipError == .overlappingEntries("big", "next"))
    }

    @Test func entryBeyondTheCentralDirectory() {
        var builder = ZipBuilder()
        var entry = ZipBuilder.Entry(name: "a", data: Data("a".utf8))
        entry.declaredLocalHeaderOffset = 5_000
        builder.entries.append(entry)
        if case .entryOutOfBounds? = openError(builder.build()) as? ZipError {} else { Issue.record("expected entryOutOfBounds") }
    }

    @Test func localHeaderSignatureAndNameMismatch() throws {
        var (data, layout) = sample()
        data.setLE(UInt32(0xDEAD_BEEF), at: layout.localHeaderOffsets[1])
        let (archive, _) = try openArchive(data)
        #expect(throws: ZipError.badSignature(
            structure: "local file header", offset: layout.localHeaderOffsets[1], expected: 0x0403_4B50, found: 0xDEAD_BEEF)) {
            try archive.readEntry(archive.entries[1])
        }
        #expect(try archive.readEntry(archive.entries[0]) == Data("contents of first.txt\n".utf8))

        var builder = ZipBuilder()
        var entry = ZipBuilder.Entry(name: "good.txt", data: Data("x".utf8))
        entry.localName = Data("evil.txt".utf8)
        builder.entries.append(entry)
        let (renamed, _) = try openArchive(builder.build())
        #expect(throws: ZipError.localHeaderNameMismatch(central: "good.txt", local: "evil.txt")) {
            try renamed.readEntry(renamed.entries[0])
        }
    }

    @Test func zipBombClaimingFourGigabytesIsRefusedWithoutFetching() throws {
        var builder = ZipBuilder()
        builder.add("bomb.dist-info/WHEEL", text: "Wheel-Version: 1.0\n")
        builder.add("filler", noise(30_000), method: .stored)
        var entry = ZipBuilder.Entry(name: "bomb.dist-info/METADATA", data: Data(count: 1_000_000))
        entry.declaredUncompressedSize = 4 * 1024 * 1024 * 1024
        builder.entries.insert(entry, at: 0)
        let source = MemoryByteSource(builder.build())
        let wheel = try LazyWheel.open(source: source)
        let before = source.requestCount
        #expect(throws: ZipError.entryTooLarge(
            name: "bomb.dist-info/METADATA", declaredSize: 4 * 1024 * 1024 * 1024, limit: LazyWheel.maximumMetadataSize)) {
            try wheel.readMetadata(distInfoMatches: { _ in true })
        }
        #expect(throws: ZipError.self) { try wheel.archive.readEntry(wheel.archive.entries[0]) }
        #expect(source.requestCount == before, "refused from the central directory alone")
    }

    @Test func inflatingPastTheDeclaredSizeStops() throws {
        var builder = ZipBuilder()
        var entry = ZipBuilder.Entry(name: "bomb", data: Data(count: 20_000_000))
        entry.declaredUncompressedSize = 1000
        builder.entries.append(entry)
        let (archive, _) = try openArchive(builder.build())
        #expect(throws: ZipError.inflatedSizeExceeded(name: "bomb", limit: 1000)) {
            try archive.readEntry(archive.entries[0])
        }
        #expect(throws: ZipError.inflatedSizeExceeded(name: "x", limit: 10)) {
            try Inflate.inflateRaw(ZipBuilder.deflate(Data(count: 50_000_000)), outputLimit: 10, name: "x")
        }
    }

    @Test func declaredSizesThatDoNotMatch() throws {
        var builder = ZipBuilder()
        var short = ZipBuilder.Entry(name: "short", data: Data("12345".utf8))
        short.declaredUncompressedSize = 10
        builder.entries.append(short)
        var stored = ZipBuilder.Entry(name: "stored", data: Data("12345".utf8), method: .stored)
        stored.declaredUncompressedSize = 6
        builder.entries.append(stored)
        let (archive, _) = try openArchive(builder.build())
        #expect(throws: ZipError.sizeMismatch(name: "short", declared: 10, actual: 5)) { try archive.readEntry(archive.entries[0]) }
        #expect(throws: ZipError.sizeMismatch(name: "stored", declared: 6, actual: 5)) { try archive.readEntry(archive.entries[1]) }
        #expect(throws: ZipError.entryTooLarge(name: "short", declaredSize: 10, limit: 9)) {
            try archive.readEntry(archive.entries[0], maxSize: 9)
        }
    }

    @Test func wrongCRC() throws {
        var builder = ZipBuilder()
        var entry = ZipBuilder.Entry(name: "a.txt", data: Data("payload".utf8))
        entry.declaredCRC32 = 0x1234_5678
        builder.entries.append(entry)
        let (archive, _) = try openArchive(builder.build())
        #expect(throws: ZipError.crcMismatch(name: "a.txt", declared: 0x1234_5678, actual: Inflate.crc32(Data("payload".utf8)))) {
            try archive.readEntry(archive.entries[0])
        }
    }

    @Test func corruptAndTruncatedDeflateStreams() throws {
        var builder = ZipBuilder()
        var garbage = ZipBuilder.Entry(name: "garbage", data: Data([0xFF, 0xFF, 0xFF, 0xFF]), method: .stored)
        garbage.declaredMethod = 8
        builder.entries.append(garbage)
        let text = Data(String(repeating: "truncated deflate ", count: 200).utf8)
        var cut = ZipBuilder.Entry(name: "cut", data: text)
        cut.declaredCompressedSize = Int64(ZipBuilder.deflate(text).count - 8)
        builder.entries.append(cut)
        let (archive, _) = try openArchive(builder.build())
        for entry in archive.entries {
            if case .corruptDeflateStream? = (try? { () throws -> ZipError? in
                do { _ = try archive.readEntry(entry); return nil } catch let error as ZipError { return error }
            }()) ?? nil {} else {
                Issue.record("\(entry.name): expected corruptDeflateStream")
            }
        }
    }

    @Test func unsupportedMethodIsNamed() throws {
        var builder = ZipBuilder()
        var entry = ZipBuilder.Entry(name: "a.bz2", data: Data("x".utf8), method: .stored)
        entry.declaredMethod = 12
        builder.entries.append(entry)
        let (archive, _) = try openArchive(builder.build())
        #expect(throws: ZipError.unsupportedCompressionMethod(name: "a.bz2", method: 12)) {
            try archive.readEntry(archive.entries[0])
        }
        #expect(ZipError.unsupportedCompressionMethod(name: "a.bz2", method: 12).description.contains("bzip2"))
    }

    @Test func multiDiskAndBrokenZip64Records() throws {
        var (data, layout) = sample()
        data.setLE(UInt16(1), at: layout.endRecordOffset + 4)
        #expect(openError(data) as? ZipError == .multiDiskArchive)

        var builder = ZipBuilder()
        builder.zip64EndRecords = true
        builder.add("a", text: "a")
        var (zip64, zip64Layout) = builder.buildWithLayout()
        zip64.setLE(UInt64(1 << 40), at: zip64Layout.endRecordOffset - 12)
        if case .centralDirectoryOutOfBounds? = openError(zip64) as? ZipError {} else { Issue.record("locator offset") }

        var (missing, missingLayout) = sample()
        missing.setLE(UInt32.max, at: missingLayout.centralHeaderOffsets[0] + 20)
        #expect(openError(missing) as? ZipError == .invalidZip64ExtraField(name: "first.txt"))
    }

    /// Random byte corruptions of a valid archive must end in an error or a result, never a trap or hang.
    @Test func randomCorruptionsNeverCrash() throws {
        var builder = ZipBuilder()
        builder.add("pkg-1.0.dist-info/METADATA", text: "Metadata-Version: 2.1\nName: pkg\n")
        builder.add("pkg/data.bin", noise(3000), method: .deflated)
        var zip64 = ZipBuilder.Entry(name: "pkg/z64", data: Data("z".utf8))
        zip64.zip64 = true
        builder.entries.append(zip64)
        builder.zip64EndRecords = true
        let original = builder.build()
        var generator = SplitMix64(seed: 42)
        for _ in 0..<400 {
            var data = original
            for _ in 0..<(1 + generator.next() % 4) {
                let offset = Int(generator.next() % UInt64(data.count))
                data[offset] = UInt8(truncatingIfNeeded: generator.next())
            }
            guard let (archive, _) = try? openArchive(data, tail: 1 + Int(generator.next() % 5000)) else { continue }
            for entry in archive.entries { _ = try? archive.readEntry(entry, maxSize: 1 << 20) }
        }
    }
}
