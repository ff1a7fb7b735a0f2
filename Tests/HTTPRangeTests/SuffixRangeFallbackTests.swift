import Foundation
import HTTPRange
import LazyZip
import Testing
import TestSupport

/// Hosts that refuse suffix ranges are read with bounded ranges, and remembered per host.
@Suite struct SuffixRangeFallbackTests {
    static let data = sampleData(40_000)

    @Test(arguments: [501, 405, 404, 500, 400])
    func refusedSuffixFallsBackToBoundedRanges(status: Int) throws {
        try Fixture.with { fixture in
            fixture.server.setFile("/w.whl", data: Self.data)
            fixture.server.setFaults(ServerFaults(suffixRanges: .refuse(status: status)), for: "/w.whl")
            let tail = try fixture.source("/w.whl").readTail(length: 1000, cancellation: nil)
            #expect(tail == TailRead(totalSize: 40_000, offset: 39_000, bytes: Self.data.suffix(1000)))
            let ranges = fixture.server.requests.compactMap(\.range)
            #expect(ranges.last == "bytes=39000-39999")
            #expect(ranges.contains("bytes=0-0"))
            #expect(fixture.capabilities.capabilities(for: fixture.server.url("/")).refusesSuffixRanges)
            #expect(fixture.statistics.snapshot.headRequests == 0)
        }
    }

    @Test func suffixAnsweredFromTheStartIsDetected() throws {
        try Fixture.with { fixture in
            fixture.server.setFile("/w.whl", data: Self.data)
            fixture.server.setFaults(ServerFaults(suffixRanges: .answerFromStart), for: "/w.whl")
            let tail = try fixture.source("/w.whl").readTail(length: 1000, cancellation: nil)
            #expect(tail == TailRead(totalSize: 40_000, offset: 39_000, bytes: Self.data.suffix(1000)))
            // The wrong answer already told the size: one more request, for the real tail.
            #expect(fixture.server.requests.compactMap(\.range) == ["bytes=-1000", "bytes=39000-39999"])
            #expect(fixture.capabilities.capabilities(for: fixture.server.url("/")).refusesSuffixRanges)
        }
    }

    @Test func laterSourcesOnTheHostGoStraightToBoundedRanges() throws {
        try Fixture.with { fixture in
            fixture.server.setFile("/a.whl", data: Self.data)
            fixture.server.setFile("/b.whl", data: Self.data)
            fixture.server.setFaults(ServerFaults(suffixRanges: .refuse(status: 501)))
            _ = try fixture.source("/a.whl").readTail(length: 1000, cancellation: nil)
            fixture.server.clearLog()
            let tail = try fixture.source("/b.whl").readTail(length: 1000, cancellation: nil)
            #expect(tail.bytes == Self.data.suffix(1000))
            #expect(fixture.server.requests.compactMap(\.range) == ["bytes=0-0", "bytes=39000-39999"])
            // Another host alias is another host.
            #expect(!fixture.capabilities.capabilities(for: fixture.server.url("/", host: "localhost")).refusesSuffixRanges)
        }
    }

    @Test func aKnownSizeSkipsTheProbe() throws {
        try Fixture.with { fixture in
            fixture.server.setFile("/w.whl", data: Self.data)
            fixture.server.setFaults(ServerFaults(suffixRanges: .refuse(status: 501)), for: "/w.whl")
            let tail = try fixture.source("/w.whl", knownSize: 40_000).readTail(length: 1000, cancellation: nil)
            #expect(tail.bytes == Self.data.suffix(1000))
            #expect(fixture.server.requests.compactMap(\.range) == ["bytes=39000-39999"])
        }
    }

    @Test func refusedSuffixOnAFileShorterThanTheTail() throws {
        try Fixture.with { fixture in
            let small = sampleData(500)
            fixture.server.setFile("/s.whl", data: small)
            fixture.server.setFaults(ServerFaults(suffixRanges: .refuse(status: 501)), for: "/s.whl")
            let tail = try fixture.source("/s.whl").readTail(length: 1000, cancellation: nil)
            #expect(tail == TailRead(totalSize: 500, offset: 0, bytes: small))
        }
    }

    @Test func hostCapabilitiesAreKeptPerOrigin() {
        let capabilities = HostCapabilities()
        let url = URL(string: "https://files.example/a/b.whl")!
        capabilities.recordRefusesSuffixRanges(url)
        #expect(capabilities.capabilities(for: URL(string: "https://FILES.example:443/other")!).refusesSuffixRanges)
        #expect(!capabilities.capabilities(for: URL(string: "http://files.example/other")!).refusesSuffixRanges)
        #expect(!capabilities.capabilities(for: url).ignoresRange)
    }
}
