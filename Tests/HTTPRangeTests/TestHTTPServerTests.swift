import Foundation
import HTTPRange
import Testing
import TestSupport

/// The test server itself follows RFC 9110 range semantics, so other tests can trust it.
@Suite struct TestHTTPServerTests {
    static let file = sampleData(1000)

    @Test(arguments: [
        ("bytes=0-9", "bytes 0-9/1000", 0..<10),
        ("bytes=990-", "bytes 990-999/1000", 990..<1000),
        ("bytes=-10", "bytes 990-999/1000", 990..<1000),
        ("bytes=-5000", "bytes 0-999/1000", 0..<1000),
        ("bytes=995-2000", "bytes 995-999/1000", 995..<1000),
    ])
    func satisfiableRanges(range: String, contentRange: String, bytes: Range<Int>) throws {
        try Fixture.with { fixture in
            fixture.server.setFile("/f.bin", data: Self.file)
            let response = try fixture.client.send(
                HTTPRequest(url: fixture.server.url("/f.bin"), headers: ["Range": range]))
            #expect(response.status == 206)
            #expect(response.headers["content-range"] == contentRange)
            #expect(response.body == Self.file.subdata(in: bytes))
            #expect(response.headers["ETag"]?.hasPrefix("\"") == true)
            #expect(response.headers["Last-Modified"] != nil)
        }
    }

    @Test func unsatisfiableAndMissing() throws {
        try Fixture.with { fixture in
            fixture.server.setFile("/f.bin", data: Self.file)
            fixture.server.setFile("/empty.bin", data: Data())
            let past = try fixture.client.send(
                HTTPRequest(url: fixture.server.url("/f.bin"), headers: ["Range": "bytes=1000-"]))
            #expect(past.status == 416)
            #expect(past.headers["Content-Range"] == "bytes */1000")
            let empty = try fixture.client.send(
                HTTPRequest(url: fixture.server.url("/empty.bin"), headers: ["Range": "bytes=-10"]))
            #expect(empty.status == 416)
            #expect(empty.headers["Content-Range"] == "bytes */0")
            let missing = try fixture.client.get(fixture.server.url("/nope"))
            #expect(missing.status == 404)
        }
    }

    @Test func ifRangeAndHead() throws {
        try Fixture.with { fixture in
            fixture.server.setFile("/f.bin", data: Self.file)
            let etag = try #require(fixture.server.etag(of: "/f.bin"))
            let matching = try fixture.client.send(
                HTTPRequest(url: fixture.server.url("/f.bin"), headers: ["Range": "bytes=0-1", "If-Range": etag]))
            #expect(matching.status == 206)
            let stale = try fixture.client.send(
                HTTPRequest(url: fixture.server.url("/f.bin"), headers: ["Range": "bytes=0-1", "If-Range": "\"old\""]))
            #expect(stale.status == 200)
            #expect(stale.body == Self.file)
            let head = try fixture.client.send(HTTPRequest(method: "HEAD", url: fixture.server.url("/f.bin")))
            #expect(head.status == 200)
            #expect(head.body.isEmpty)
            #expect(head.contentLength == 1000)
            #expect(fixture.server.requests.map(\.status) == [206, 200, 200])
        }
    }

    @Test func keepAliveReusesOneConnection() throws {
        try Fixture.with { fixture in
            fixture.server.setFile("/f.bin", data: Self.file)
            for _ in 0..<5 {
                _ = try fixture.client.send(HTTPRequest(url: fixture.server.url("/f.bin"), headers: ["Range": "bytes=0-0"]))
            }
            #expect(fixture.server.requests.count == 5)
            #expect(fixture.server.connectionsOpened == 1)
        }
    }

    @Test func replacingAFileChangesItsETag() throws {
        try Fixture.with { fixture in
            fixture.server.setFile("/f.bin", data: Self.file)
            let first = fixture.server.etag(of: "/f.bin")
            fixture.server.setFile("/f.bin", data: Self.file)
            #expect(fixture.server.etag(of: "/f.bin") != first)
        }
    }
}
