import Foundation
import LazyZip
import TestSupport
import Testing

/// ``LazyWheel/fetchMetadata(source:tailLength:statistics:pool:distInfoMatches:cancellation:)``:
/// METADATA found in the part of a long central directory that the tail holds.
@Suite struct CentralDirectorySuffixTests {
    let metadata = "Metadata-Version: 2.1\nName: demo\nVersion: 1.0\n"
    let matches: @Sendable (String) -> Bool = { $0 == "demo-1.0.dist-info" }

    /// A wheel with `files` package entries (long names make the central directory longer than the
    /// 16 KiB tail), a 200 KB blob after the package, and `.dist-info/` last or first.
    func wheel(files: Int = 400, distInfoFirst: Bool = false, customize: (inout [ZipBuilder.Entry]) -> Void = { _ in }) -> Data {
        var package = ZipBuilder()
        for index in 0..<files {
            package.add("demo/a/rather/long/package/path/to/make/the/directory/grow/module_\(index).py", text: "x = \(index)\n")
        }
        var distInfo = ZipBuilder()
        distInfo.add("demo-1.0.dist-info/METADATA", text: metadata)
        distInfo.add("demo-1.0.dist-info/WHEEL", text: "Wheel-Version: 1.0\n")
        distInfo.add("demo-1.0.dist-info/RECORD", text: "")
        var libs = ZipBuilder()
        libs.add("demo.libs/blob.so", noise(200_000), method: .stored)
        var entries = distInfoFirst ? distInfo.entries + package.entries : package.entries + distInfo.entries + libs.entries
        customize(&entries)
        var builder = ZipBuilder()
        builder.entries = entries
        return builder.build()
    }

    /// ``wheel(files:distInfoFirst:customize:)`` with METADATA's entry changed by `change`.
    func wheel(changingMetadataEntry change: (inout ZipBuilder.Entry) -> Void) -> Data {
        wheel { entries in change(&entries[entries.firstIndex { $0.name.hasSuffix("METADATA") }!]) }
    }

    /// Fetches METADATA from `data`, checks it is exact, and returns the requests it took.
    func requestsForExactMetadata(_ data: Data) throws -> [MemoryByteSource.Request] {
        let source = MemoryByteSource(data)
        #expect(try LazyWheel.fetchMetadata(source: source, distInfoMatches: matches) == Data(metadata.utf8))
        return source.requests
    }

    func directorySize(_ data: Data) throws -> Int64 {
        let lazy = try LazyWheel.open(source: MemoryByteSource(data))
        return Int64(lazy.archive.centralDirectoryRange.count)
    }

    @Test func metadataInTheTailOfALongDirectoryTakesTwoRequests() throws {
        let data = wheel()
        #expect(try directorySize(data) > Int64(LazyWheel.defaultTailLength), "the directory must not fit the tail")
        let source = MemoryByteSource(data)
        let bytes = try LazyWheel.fetchMetadata(source: source, distInfoMatches: matches)
        #expect(bytes == Data(metadata.utf8))
        #expect(source.requestCount == 2, "tail, then METADATA only: \(source.requests)")
        // The whole-archive path needs the rest of the directory as well.
        let full = MemoryByteSource(data)
        _ = try LazyWheel.open(source: full).readMetadata(distInfoMatches: matches)
        #expect(full.requestCount == 3)
    }

    @Test func metadataOutsideTheTailFallsBackToTheWholeDirectory() throws {
        let source = MemoryByteSource(wheel(distInfoFirst: true))
        #expect(try LazyWheel.fetchMetadata(source: source, distInfoMatches: matches) == Data(metadata.utf8))
        #expect(source.requestCount == 3)
    }

    @Test func signatureBytesInsideNamesAreNotTakenForHeaders() throws {
        // Names holding "PK\u{1}\u{2}" put false starts in the tail; the real chain is still found.
        let data = wheel { entries in
            for index in entries.indices.suffix(40) where entries[index].name.hasPrefix("demo/") {
                entries[index].name = "demo/PK\u{1}\u{2}PK\u{1}\u{2}/\(index).py"
            }
        }
        #expect(try requestsForExactMetadata(data).count == 2)
    }

    @Test func aLongerLocalExtraFieldIsReadWithOneMoreRequest() throws {
        let data = wheel(changingMetadataEntry: { $0.localExtra = Data([0xFE, 0xCA, 0xE8, 0x03] + [UInt8](repeating: 7, count: 1000)) })
        let requests = try requestsForExactMetadata(data)
        #expect(requests.count == 3, "\(requests)")
    }

    @Test func twoMatchingMetadataFilesInTheTailAreStillRefused() throws {
        let data = wheel { entries in
            var copy = entries.first { $0.name.hasSuffix("METADATA") }!
            copy.name = "demo-1.0.dist-info/METADATA"
            entries.append(copy)
        }
        #expect(throws: ZipError.self) {
            try LazyWheel.fetchMetadata(source: MemoryByteSource(data), distInfoMatches: matches)
        }
    }

    @Test func aDataDescriptorEntryIsRead() throws {
        let data = wheel(changingMetadataEntry: { $0.dataDescriptor = true })
        #expect(try requestsForExactMetadata(data).count == 2)
    }

    @Test func aCorruptEntryInTheTailIsStillCaughtByItsCRC() throws {
        let data = wheel(changingMetadataEntry: { $0.declaredCRC32 = 0xDEAD_BEEF })
        #expect(throws: ZipError.self) {
            try LazyWheel.fetchMetadata(source: MemoryByteSource(data), distInfoMatches: matches)
        }
    }
}
