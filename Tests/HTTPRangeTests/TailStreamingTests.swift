import Foundation
import HTTPRange
import LazyZip
import Testing
import TestSupport

/// A server that ignores `Range` answers the first tail request of a wheel with the whole file:
/// that answer is read front to back, so the wheel costs one request, not a dropped answer and a
/// second download.
@Suite struct TailStreamingTests {
    static let metadata = Data("Metadata-Version: 2.1\nName: big\nVersion: 1.0\n".utf8)

    /// A 3 MB wheel (stored payload) with `.dist-info/` first or last.
    static func wheel(distInfoFirst: Bool) -> Data {
        var zip = ZipBuilder()
        let distInfo: [(String, Data)] = [("big-1.0.dist-info/METADATA", metadata),
                                          ("big-1.0.dist-info/WHEEL", Data("Wheel-Version: 1.0\n".utf8))]
        let payload: [(String, Data)] = [("big/data.bin", sampleData(3 << 20))]
        for (name, data) in distInfoFirst ? distInfo + payload : payload + distInfo {
            zip.add(name, data, method: .stored)
        }
        zip.add("big-1.0.dist-info/RECORD", Data())
        return zip.build()
    }

    static let matches: @Sendable (String) -> Bool = { $0 == "big-1.0.dist-info" }

    @Test func metadataFirstStopsTheFirstAnswer() throws {
        try Fixture.with { fixture in
            fixture.server.setFile("/big.whl", data: Self.wheel(distInfoFirst: true))
            fixture.server.setFaults(ServerFaults(ignoreRange: true), for: "/big.whl")
            let source = fixture.source("/big.whl")
            let found = try LazyWheel.fetchMetadata(
                source: source, statistics: fixture.statistics, distInfoMatches: Self.matches, cancellation: nil)
            #expect(found == Self.metadata)
            #expect(fixture.server.requests.count == 1)
            #expect(fixture.server.requests.first?.range == "bytes=-\(LazyWheel.defaultTailLength)")
            #expect(fixture.statistics.snapshot.bytesFetched < 2 << 20)
            #expect(fixture.capabilities.capabilities(for: fixture.server.url("/")).ignoresRange)
        }
    }

    @Test func openingKeepsTheWholeFirstAnswer() throws {
        try Fixture.with { fixture in
            let data = Self.wheel(distInfoFirst: false)
            fixture.server.setFile("/big.whl", data: data)
            fixture.server.setFaults(ServerFaults(ignoreRange: true), for: "/big.whl")
            let source = fixture.source("/big.whl")
            let wheel = try LazyWheel.open(source: source, statistics: fixture.statistics)
            #expect(try wheel.readMetadata(distInfoMatches: Self.matches, cancellation: nil) == Self.metadata)
            let found = try LazyWheel.fetchMetadata(
                source: source, statistics: fixture.statistics, distInfoMatches: Self.matches, cancellation: nil)
            #expect(found == Self.metadata)
            #expect(try source.read(100..<200, cancellation: nil) == data.subdata(in: 100..<200))
            #expect(fixture.server.requests.count == 1)
            #expect(fixture.statistics.snapshot.bytesFetched == Int64(data.count))
        }
    }

    @Test func rangesStillComeAsTails() throws {
        try Fixture.with { fixture in
            let data = Self.wheel(distInfoFirst: false)
            fixture.server.setFile("/big.whl", data: data)
            let source = fixture.source("/big.whl")
            let scanner = LocalHeaderScanner(distInfoMatches: Self.matches)
            let answer = try source.readTail(length: 4096, streaming: scanner, cancellation: nil)
            #expect(answer == .tail(TailRead(totalSize: Int64(data.count), offset: Int64(data.count - 4096), bytes: data.suffix(4096))))
            #expect(fixture.statistics.snapshot.bytesFetched == 4096)
        }
    }
}
