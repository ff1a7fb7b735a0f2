import Foundation
import HTTPRange
import LazyZip
import Testing
import TestSupport

/// Object-storage indexes redirect file URLs to presigned URLs on another host: later ranges go
/// there directly, and when that URL expires (403 after it worked) the read starts again once
/// from the index's URL.
@Suite struct PresignedRedirectTests {
    @Test func laterRangesGoToTheRedirectedURL() throws {
        try Fixture.with { fixture in
            let data = sampleData(10_000)
            fixture.server.setFile("/signed-1", data: data)
            fixture.server.setFaults(ServerFaults(redirect: .host("localhost", path: "/signed-1")), for: "/files/a.whl")
            let source = fixture.source("/files/a.whl")
            _ = try source.readTail(length: 100, cancellation: nil)
            #expect(try source.read(0..<10, cancellation: nil) == data.subdata(in: 0..<10))
            #expect(try source.read(500..<600, cancellation: nil) == data.subdata(in: 500..<600))
            #expect(fixture.server.requests(for: "/files/a.whl").count == 1)
            #expect(fixture.server.requests(for: "/signed-1").count == 3)
        }
    }

    @Test func anExpiredRedirectStartsAgainFromTheIndexURL() throws {
        try Fixture.with { fixture in
            let data = sampleData(10_000)
            fixture.server.setFile("/signed-1", data: data)
            fixture.server.setFile("/signed-2", data: data)
            // Two presigned URLs of one object: the test server would give each its own validators.
            let sameObject = ServerFaults(omitETag: true, omitLastModified: true)
            fixture.server.setFaults(sameObject, for: "/signed-1")
            fixture.server.setFaults(sameObject, for: "/signed-2")
            fixture.server.setFaults(ServerFaults(redirect: .host("localhost", path: "/signed-1")), for: "/files/a.whl")
            let source = HTTPRangeSource(
                url: fixture.server.url("/files/a.whl"), client: fixture.client, headers: ["X-Api-Key": "secret"])
            _ = try source.readTail(length: 100, cancellation: nil)
            // The presigned URL expires; the index now hands out another one.
            fixture.server.setFaults(ServerFaults(status: 403, omitETag: true, omitLastModified: true), for: "/signed-1")
            fixture.server.setFaults(ServerFaults(redirect: .host("localhost", path: "/signed-2")), for: "/files/a.whl")
            #expect(try source.read(0..<10, cancellation: nil) == data.subdata(in: 0..<10))
            #expect(fixture.server.requests(for: "/files/a.whl").count == 2)
            #expect(fixture.server.requests(for: "/signed-2").count == 1)
            let storageRequests = fixture.server.requests(for: "/signed-1") + fixture.server.requests(for: "/signed-2")
            #expect(storageRequests.allSatisfy { $0.header("X-Api-Key") == nil })
        }
    }
}
