import Foundation
import LazyZip
import TestSupport
import Testing

/// ``LocalHeaderScanner``: METADATA found front to back as bytes arrive, checked against its local
/// header, and a walk that gives up where it cannot step over a member.
@Suite struct LocalHeaderScannerTests {
    let metadata = "Metadata-Version: 2.1\nName: demo\nVersion: 1.0\n"

    func wheel(distInfoFirst: Bool, payload: Int = 200_000, dataDescriptor: Bool = false) -> Data {
        let meta = ZipBuilder.Entry(name: "demo-1.0.dist-info/METADATA", data: Data(metadata.utf8), method: .stored)
        var blob = ZipBuilder.Entry(name: "demo/blob.so", data: noise(payload), method: .stored)
        blob.dataDescriptor = dataDescriptor
        var builder = ZipBuilder()
        builder.entries = distInfoFirst ? [meta, blob] : [blob, meta]
        return builder.build()
    }

    /// Feeds `data` in `piece`-byte steps; returns METADATA and how many bytes had arrived then.
    func scan(_ data: Data, piece: Int = 1000) throws -> (Data?, Int, Bool) {
        var scanner = LocalHeaderScanner { $0 == "demo-1.0.dist-info" }
        var available = 0
        while available < data.count {
            available = min(data.count, available + piece)
            if let found = try scanner.advance(available: Int64(available), read: { data.subdata(in: Int($0.lowerBound)..<Int($0.upperBound)) }) {
                return (found, available, scanner.gaveUp)
            }
        }
        return (nil, available, scanner.gaveUp)
    }

    @Test func distInfoFirstIsFoundWithinItsFirstBytes() throws {
        let (found, arrived, _) = try scan(wheel(distInfoFirst: true))
        #expect(found == Data(metadata.utf8))
        #expect(arrived <= 1000)
    }

    @Test func distInfoLastIsFoundAfterSkippingTheMembersBefore() throws {
        let data = wheel(distInfoFirst: false)
        let (found, arrived, _) = try scan(data, piece: 20)
        #expect(found == Data(metadata.utf8))
        #expect(arrived > 200_000 && arrived < data.count)
    }

    @Test func aMemberWithADataDescriptorEndsTheWalk() throws {
        let (found, _, gaveUp) = try scan(wheel(distInfoFirst: false, dataDescriptor: true))
        #expect(found == nil)
        #expect(gaveUp)
    }

    @Test func aWrongCRCIsAnError() throws {
        var data = wheel(distInfoFirst: true)
        let stored = data.range(of: Data("Name: demo".utf8))!
        data[stored.lowerBound] = UInt8(ascii: "n")
        #expect(throws: ZipError.self) { try scan(data) }
    }

    @Test func noMatchingMemberGivesUpAtTheCentralDirectory() throws {
        var scanner = LocalHeaderScanner { $0 == "other-1.0.dist-info" }
        let data = wheel(distInfoFirst: true)
        let found = try scanner.advance(available: Int64(data.count)) { data.subdata(in: Int($0.lowerBound)..<Int($0.upperBound)) }
        #expect(found == nil && scanner.gaveUp)
    }
}
