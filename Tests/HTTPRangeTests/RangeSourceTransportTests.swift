import Foundation
import HTTPRange
import LazyZip
import Testing
import TestSupport

/// Redirects, retries and broken transfers as seen through an ``HTTPRangeSource``.
@Suite struct RangeSourceTransportTests {
    static let data = sampleData(30_000)

    @Test func redirectKeepsTheRangeAndDropsAuthorizationOnHostChange() throws {
        try Fixture.with { fixture in
            fixture.server.setFile("/files/w.whl", data: Self.data)
            fixture.server.setFaults(ServerFaults(redirect: .host("localhost", path: "/files/w.whl")), for: "/simple/w.whl")
            let url = fixture.server.url("/simple/w.whl", user: "alice", password: "s3cret")
            let source = HTTPRangeSource(url: url, client: fixture.client, statistics: fixture.statistics)
            let tail = try source.readTail(length: 500, cancellation: nil)
            #expect(tail.bytes == Self.data.suffix(500))
            let final = try #require(fixture.server.requests(for: "/files/w.whl").first)
            #expect(final.range == "bytes=-500")
            #expect(final.header("Authorization") == nil)
            #expect(fixture.server.requests(for: "/simple/w.whl").first?.header("Authorization") != nil)
            #expect(fixture.statistics.snapshot.requests == 2)
        }
    }

    @Test func serverErrorsThenSuccessAreRetried() throws {
        try Fixture.with { fixture in
            fixture.server.setFile("/w.whl", data: Self.data)
            fixture.server.setFaults(.failFirst(2, status: 502), for: "/w.whl")
            let tail = try fixture.source("/w.whl").readTail(length: 500, cancellation: nil)
            #expect(tail.bytes == Self.data.suffix(500))
            #expect(fixture.server.requests.map(\.status) == [502, 502, 206])
            #expect(fixture.statistics.snapshot.requests == 3)
        }
    }

    @Test(arguments: [ServerFaults.BodyFault.short, .reset])
    func brokenBodyIsRetried(fault: ServerFaults.BodyFault) throws {
        try Fixture.with { fixture in
            fixture.server.setFile("/w.whl", data: Self.data)
            fixture.server.setFaults(ServerFaults(body: fault, limit: 1), for: "/w.whl")
            let source = fixture.source("/w.whl")
            let bytes = try source.read(0..<20_000, cancellation: nil)
            #expect(bytes == Self.data.prefix(20_000))
            #expect(fixture.server.requests.count == 2)
        }
    }

    @Test(arguments: [ServerFaults.BodyFault.short, .reset])
    func brokenBodyEveryTimeEndsInAnError(fault: ServerFaults.BodyFault) throws {
        try Fixture.with { fixture in
            fixture.server.setFile("/w.whl", data: Self.data)
            fixture.server.setFaults(ServerFaults(body: fault), for: "/w.whl")
            let error = caughtError { _ = try fixture.source("/w.whl").read(0..<20_000, cancellation: nil) }
            #expect({ if case .connectionFailed = error as? HTTPClientError { true } else { false } }())
            #expect(fixture.server.requests.count == 3)
        }
    }
}
