import Foundation
import LazyZip
import Testing
import TestSupport

/// One wheel of `shared/corpus/MANIFEST.json` (what Python's `zipfile` read from it).
struct CorpusWheel: Decodable, Sendable, CustomStringConvertible {
    let file: String
    let size: Int64
    let entries: Int
    let centralDirectoryOffset: Int64
    let centralDirectorySize: Int64
    let metadataPath: String
    let metadataLocalHeaderOffset: Int64
    let metadataCompressedSize: Int64
    let metadataSize: Int64
    let metadataCRC32: UInt32

    var description: String { file }

    static var directory: URL { TestRepository.corpus }

    static let all: [CorpusWheel] = {
        let manifest = directory.appendingPathComponent("MANIFEST.json")
        guard let data = try? Data(contentsOf: manifest) else { return [] }
        return (try? JSONDecoder().decode([CorpusWheel].self, from: data)) ?? []
    }()

    var path: String { Self.directory.appendingPathComponent("wheels/\(file)").path }

    /// Accepts `{name}-{version}.dist-info` for the name and version in the wheel's file name.
    var distInfoPredicate: @Sendable (String) -> Bool {
        let parts = file.split(separator: "-")
        let expected = "\(parts[0])-\(parts[1]).dist-info".lowercased()
        return { $0.lowercased() == expected }
    }
}

@Suite struct CorpusTests {
    @Test func manifestIsPresent() {
        #expect(CorpusWheel.all.count == 15)
    }

    @Test(arguments: CorpusWheel.all)
    func readsMetadataWithinRequestBudget(wheel: CorpusWheel) throws {
        let statistics = TransferStatistics()
        let source = try FileByteSource(path: wheel.path, statistics: statistics)
        let lazy = try LazyWheel.open(source: source, statistics: statistics)
        #expect(lazy.archive.entries.count == wheel.entries)
        #expect(lazy.archive.centralDirectoryRange == wheel.centralDirectoryOffset ..< wheel.centralDirectoryOffset + wheel.centralDirectorySize)
        let entry = try lazy.metadataEntry(distInfoMatches: wheel.distInfoPredicate)
        #expect(entry.name == wheel.metadataPath)
        #expect(entry.localHeaderOffset == wheel.metadataLocalHeaderOffset)
        let metadata = try lazy.readMetadata(distInfoMatches: wheel.distInfoPredicate)
        #expect(Int64(metadata.count) == wheel.metadataSize)
        #expect(Inflate.crc32(metadata) == wheel.metadataCRC32)
        // Any predicate works when the wheel has exactly one .dist-info/METADATA.
        #expect(try lazy.metadataEntry(distInfoMatches: { _ in true }) == entry)

        let tailStart = wheel.size - Int64(LazyWheel.defaultTailLength)
        let requests = statistics.snapshot.requests
        if entry.localHeaderOffset >= tailStart && wheel.centralDirectoryOffset >= tailStart {
            #expect(requests == 1, "METADATA is in the tail")
        } else if wheel.centralDirectoryOffset < tailStart {
            #expect(requests <= 3, "central directory bigger than the tail")
        } else {
            #expect(requests <= 2)
        }
        if wheel.file.hasPrefix("numpy") { #expect(requests <= 3) } else { #expect(requests <= 2) }
        #expect(statistics.snapshot.headRequests == 0)
    }

    /// METADATA alone (no handle kept) costs one request when it is in the tail and two otherwise,
    /// numpy included: its METADATA entry is in the part of its 73 KB central directory the tail holds.
    @Test(arguments: CorpusWheel.all)
    func fetchesMetadataAloneWithinTwoRequests(wheel: CorpusWheel) throws {
        let statistics = TransferStatistics()
        let source = try FileByteSource(path: wheel.path, statistics: statistics)
        let metadata = try LazyWheel.fetchMetadata(source: source, statistics: statistics, distInfoMatches: wheel.distInfoPredicate)
        #expect(Int64(metadata.count) == wheel.metadataSize)
        #expect(Inflate.crc32(metadata) == wheel.metadataCRC32)
        let tailStart = wheel.size - Int64(LazyWheel.defaultTailLength)
        let inTail = wheel.metadataLocalHeaderOffset >= tailStart && wheel.centralDirectoryOffset >= tailStart
        #expect(statistics.snapshot.requests == (inTail ? 1 : 2))
        if wheel.file.hasPrefix("numpy") {
            #expect(statistics.snapshot.bytesFetched < Int64(LazyWheel.defaultTailLength) + wheel.metadataCompressedSize + 1024)
        }
    }

    /// Prints requests and bytes over the corpus for several tail lengths: the measurement behind
    /// ``LazyWheel/defaultTailLength``.
    @Test func tailLengthTable() throws {
        var lines = ["tail      requests  bytes"]
        for tail in [8, 12, 16, 24, 32, 64, 128].map({ $0 * 1024 }) {
            let statistics = TransferStatistics()
            for wheel in CorpusWheel.all {
                let source = try FileByteSource(path: wheel.path, statistics: statistics)
                let lazy = try LazyWheel.open(source: source, tailLength: tail, statistics: statistics)
                _ = try lazy.readMetadata(distInfoMatches: wheel.distInfoPredicate)
            }
            let snapshot = statistics.snapshot
            lines.append("\(tail / 1024) KiB".padding(toLength: 10, withPad: " ", startingAt: 0)
                + "\(snapshot.requests)".padding(toLength: 10, withPad: " ", startingAt: 0)
                + "\(snapshot.bytesFetched)")
            #expect(snapshot.requests <= 2 * CorpusWheel.all.count + 1)
        }
        print(lines.joined(separator: "\n"))
    }
}
