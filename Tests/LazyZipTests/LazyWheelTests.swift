import Foundation
import LazyZip
import TestSupport
import Testing

@Suite struct LazyWheelTests {
    let metadata = "Metadata-Version: 2.1\nName: demo\nVersion: 1.0\n"

    /// A wheel with `.dist-info/` last (the usual layout) or first, and `payload` bytes of package data.
    func wheel(distInfoFirst: Bool = false, payload: Int = 0, extraDistInfo: [String] = []) -> Data {
        var builder = ZipBuilder()
        var distInfo = ZipBuilder()
        distInfo.add("demo-1.0.dist-info/METADATA", text: metadata)
        distInfo.add("demo-1.0.dist-info/WHEEL", text: "Wheel-Version: 1.0\n")
        for directory in extraDistInfo { distInfo.add("\(directory)/METADATA", text: "Name: other\n") }
        var package = ZipBuilder()
        package.add("demo/__init__.py", text: "")
        if payload > 0 { package.add("demo/blob.so", noise(payload), method: .stored) }
        builder.entries = distInfoFirst ? distInfo.entries + package.entries : package.entries + distInfo.entries
        return builder.build()
    }

    @Test func distInfoInTheTailTakesOneRequest() throws {
        let source = MemoryByteSource(wheel(payload: 100_000))
        let lazy = try LazyWheel.open(source: source)
        #expect(try lazy.readMetadata(distInfoMatches: { $0 == "demo-1.0.dist-info" }) == Data(metadata.utf8))
        #expect(source.requests == [.tail(length: LazyWheel.defaultTailLength)])
    }

    @Test func wheelWithDataPrependedStillTakesOneRequest() throws {
        let source = MemoryByteSource(Data(repeating: 0, count: 70_000) + wheel(payload: 100_000))
        let metadata = try LazyWheel.fetchMetadata(source: source, distInfoMatches: { $0 == "demo-1.0.dist-info" })
        #expect(metadata == Data(self.metadata.utf8))
        #expect(source.requests == [.tail(length: LazyWheel.defaultTailLength)])
    }

    @Test func distInfoFirstTakesTwoRequests() throws {
        let source = MemoryByteSource(wheel(distInfoFirst: true, payload: 100_000))
        let lazy = try LazyWheel.open(source: source)
        let entry = try lazy.metadataEntry(distInfoMatches: { _ in true })
        #expect(try lazy.readMetadata(distInfoMatches: { _ in true }) == Data(metadata.utf8))
        #expect(source.requests == [.tail(length: LazyWheel.defaultTailLength), .range(entry.recordRange)])
    }

    @Test func smallWheelIsReadWhole() throws {
        let data = wheel()
        let source = MemoryByteSource(data)
        let lazy = try LazyWheel.open(source: source)
        #expect(lazy.file.cachedIntervals == [0 ..< Int64(data.count)])
        _ = try lazy.readMetadata(distInfoMatches: { _ in true })
        #expect(source.requestCount == 1)
    }

    @Test func onlyTopLevelDistInfoCounts() throws {
        var builder = ZipBuilder()
        builder.add("demo-1.0.dist-info/METADATA", text: metadata)
        builder.add("vendored/other-2.0.dist-info/METADATA", text: "nested")
        builder.add("demo-1.0.dist-info/sub/METADATA", text: "too deep")
        builder.add(".dist-info/METADATA", text: "no name")
        builder.add("demo-1.0.data/METADATA", text: "not dist-info")
        let lazy = try LazyWheel.open(source: MemoryByteSource(builder.build()))
        #expect(lazy.metadataDirectories == ["demo-1.0.dist-info"])
        #expect(try lazy.readMetadata(distInfoMatches: { _ in true }) == Data(metadata.utf8))
    }

    @Test func noneOrSeveralMatchingIsAnErrorListingThem() throws {
        let lazy = try LazyWheel.open(source: MemoryByteSource(wheel(extraDistInfo: ["other-2.0.dist-info"])))
        #expect(throws: ZipError.ambiguousMetadata(found: ["demo-1.0.dist-info/METADATA", "other-2.0.dist-info/METADATA"])) {
            try lazy.metadataEntry(distInfoMatches: { _ in true })
        }
        #expect(try lazy.metadataEntry(distInfoMatches: { $0.hasPrefix("other-") }).name == "other-2.0.dist-info/METADATA")
        #expect(throws: ZipError.metadataNotFound(found: ["demo-1.0.dist-info/METADATA", "other-2.0.dist-info/METADATA"])) {
            try lazy.metadataEntry(distInfoMatches: { $0 == "nothing-1.0.dist-info" })
        }
        var empty = ZipBuilder()
        empty.add("demo/__init__.py", text: "")
        let bare = try LazyWheel.open(source: MemoryByteSource(empty.build()))
        #expect(throws: ZipError.metadataNotFound(found: [])) { try bare.readMetadata(distInfoMatches: { _ in true }) }
        #expect(ZipError.metadataNotFound(found: []).description.contains("has none"))
    }

    @Test func centralDirectoryBiggerThanTheTailTakesThreeRequests() throws {
        var builder = ZipBuilder()
        builder.add("demo-1.0.dist-info/METADATA", text: metadata)
        for index in 0..<600 { builder.add("demo/a_module_with_a_long_enough_name_\(index).py", text: "\(index)") }
        let source = MemoryByteSource(builder.build())
        let lazy = try LazyWheel.open(source: source, tailLength: 8192)
        #expect(lazy.archive.centralDirectoryRange.count > 8192)
        #expect(try lazy.readMetadata(distInfoMatches: { _ in true }) == Data(metadata.utf8))
        #expect(source.requestCount == 3)
    }
}
