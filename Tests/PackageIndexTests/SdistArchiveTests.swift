import Foundation
import LazyZip
import Testing
@testable import PackageIndex

struct SdistArchiveTests {
    private func read(_ archive: Data, filename: String = "demo-1.0.tar.gz", knownSize: Bool = true) throws -> Data {
        try SdistArchiveReader.readPKGInfo(
            filename: filename, source: RangeLoggingSource(archive), knownSize: knownSize ? Int64(archive.count) : nil)
    }

    @Test func ustarArchive() throws {
        let archive = TarFixture.gzip(TarFixture.tar([
            .directory("demo-1.0/"),
            .file("demo-1.0/setup.py", Data("print()".utf8)),
            .file("demo-1.0/src/demo.egg-info/PKG-INFO", Data("Metadata-Version: 1.0\n".utf8)),
            .file("demo-1.0/PKG-INFO", TarFixture.pkgInfo),
        ]))
        #expect(try read(archive) == TarFixture.pkgInfo)
    }

    @Test func ustarPrefixField() throws {
        let directory = "demo-" + String(repeating: "long", count: 30)
        let archive = TarFixture.gzip(TarFixture.tar([.ustarSplit(prefix: directory, name: "PKG-INFO", TarFixture.pkgInfo)]))
        #expect(try read(archive) == TarFixture.pkgInfo)
    }

    @Test func paxLongNames() throws {
        let directory = "./demo-" + String(repeating: "x", count: 150)
        let archive = TarFixture.gzip(TarFixture.tar([
            .paxFile(directory + "/README", Data("readme".utf8)),
            .paxFile(directory + "/PKG-INFO", TarFixture.pkgInfo),
        ]))
        #expect(try read(archive) == TarFixture.pkgInfo)
    }

    /// pax records whose declared length is shorter than the length field itself, or larger than
    /// any buffer: no path, and no trap (found by the sdist_tar fuzz target).
    @Test func malformedPaxRecords() {
        #expect(TarEntryScanner.paxPath(Data("1 path=x\n".utf8)) == nil)
        #expect(TarEntryScanner.paxPath(Data("9223372036854775807 path=x\n".utf8)) == nil)
        #expect(TarEntryScanner.paxPath(Data("11 path=ab\n".utf8)) == "ab")
    }

    @Test func gnuLongNames() throws {
        let directory = "demo-" + String(repeating: "y", count: 150)
        let archive = TarFixture.gzip(TarFixture.tar([
            .gnuLongName(directory + "/a-very-long-file-name.txt", Data("x".utf8)),
            .gnuLongName(directory + "/PKG-INFO", TarFixture.pkgInfo),
        ]))
        #expect(try read(archive) == TarFixture.pkgInfo)
    }

    @Test func concatenatedGzipMembersAndUnknownSize() throws {
        let tar = TarFixture.tar([
            .file("demo-1.0/big.bin", TarFixture.noise(100_000)),
            .file("demo-1.0/PKG-INFO", TarFixture.pkgInfo),
        ])
        // Split the tar stream at an odd offset into two gzip members.
        let archive = TarFixture.gzip(tar.prefix(70_001)) + TarFixture.gzip(tar.dropFirst(70_001))
        #expect(try read(archive, knownSize: true) == TarFixture.pkgInfo)
        #expect(try read(archive, knownSize: false) == TarFixture.pkgInfo)
    }

    @Test func byteAtATimeScanning() throws {
        let tar = TarFixture.tar([
            .paxFile("demo-1.0/" + String(repeating: "z", count: 120), Data("abc".utf8)),
            .file("demo-1.0/PKG-INFO", TarFixture.pkgInfo),
        ])
        var scanner = TarEntryScanner(wants: SdistArchiveReader.isTopLevelPKGInfo)
        var found: TarEntryScanner.Member?
        for byte in tar where found == nil {
            found = try scanner.consume(Data([byte]))
        }
        #expect(found == TarEntryScanner.Member(path: "demo-1.0/PKG-INFO", data: TarFixture.pkgInfo))
    }

    @Test func earlyPKGInfoReadsOnlyTheHead() throws {
        let archive = TarFixture.gzip(TarFixture.tar([
            .file("demo-1.0/PKG-INFO", TarFixture.pkgInfo),
            .file("demo-1.0/big.bin", TarFixture.noise(1_000_000)),
        ]))
        let source = RangeLoggingSource(archive)
        let data = try SdistArchiveReader.readPKGInfo(filename: "demo-1.0.tar.gz", source: source, knownSize: Int64(archive.count))
        #expect(data == TarFixture.pkgInfo)
        #expect(source.reads == [0..<SdistArchiveReader.initialChunkLength])
    }

    @Test func latePKGInfoReadsGrowingChunks() throws {
        let archive = TarFixture.gzip(TarFixture.tar([
            .file("demo-1.0/big.bin", TarFixture.noise(300_000)),
            .file("demo-1.0/PKG-INFO", TarFixture.pkgInfo),
        ]))
        let source = RangeLoggingSource(archive)
        _ = try SdistArchiveReader.readPKGInfo(filename: "demo-1.0.tar.gz", source: source, knownSize: Int64(archive.count))
        #expect(source.reads.map(\.count) == [65_536, 131_072, archive.count - 196_608])
    }

    @Test func truncatedArchiveIsAClearError() {
        let archive = TarFixture.gzip(TarFixture.tar([
            .file("demo-1.0/big.bin", TarFixture.noise(50_000)),
            .file("demo-1.0/PKG-INFO", TarFixture.pkgInfo),
        ]))
        let cut = archive.prefix(archive.count / 2)
        let error = #expect(throws: SdistMetadataError.self) { try read(cut) }
        guard case .truncated(let filename, let bytes)? = error else {
            Issue.record("expected truncated, got \(String(describing: error))")
            return
        }
        #expect(filename == "demo-1.0.tar.gz")
        #expect(bytes == Int64(cut.count))
        #expect(error?.description.contains("truncated") == true)
    }

    @Test func noPKGInfoNeedsABuild() {
        let archive = TarFixture.gzip(TarFixture.tar([.file("demo-1.0/setup.py", Data("x".utf8))]))
        #expect(throws: SdistMetadataError.needsBuild(filename: "demo-1.0.tar.gz", reason: "it has no top-level PKG-INFO")) {
            try read(archive)
        }
    }

    @Test func corruptHeaderAndGzip() {
        var tar = TarFixture.tar([.file("demo-1.0/PKG-INFO", TarFixture.pkgInfo)])
        tar[10] ^= 0xFF  // breaks the checksum
        #expect {
            try read(TarFixture.gzip(tar))
        } throws: { error in
            guard case SdistMetadataError.corruptArchive(_, let reason) = error else { return false }
            return reason.contains("checksum")
        }
        #expect {
            try read(Data("this is not gzip at all".utf8))
        } throws: { error in
            if case SdistMetadataError.corruptCompression = error { return true }
            return false
        }
    }

    @Test func unsupportedFormat() {
        #expect(throws: SdistMetadataError.unsupportedFormat(filename: "demo-1.0.tar.bz2")) {
            try read(Data(), filename: "demo-1.0.tar.bz2")
        }
    }

    @Test func octalAndBase256Numbers() {
        #expect(TarEntryScanner.number(ArraySlice(Array("0000644\0".utf8))) == 0o644)
        #expect(TarEntryScanner.number(ArraySlice(Array("   12 \0".utf8))) == 0o12)
        #expect(TarEntryScanner.number(ArraySlice([0x80, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0])) == 65536)
        #expect(TarEntryScanner.number(ArraySlice(Array("zz".utf8))) == nil)
    }

    @Test(arguments: [
        ("demo-1.0/PKG-INFO", true), ("./demo-1.0/PKG-INFO", true), ("PKG-INFO", false),
        ("demo-1.0/src/demo.egg-info/PKG-INFO", false), ("demo-1.0/PKG-INFO.txt", false),
    ])
    func topLevelPKGInfo(path: String, expected: Bool) {
        #expect(SdistArchiveReader.isTopLevelPKGInfo(path) == expected)
    }
}
