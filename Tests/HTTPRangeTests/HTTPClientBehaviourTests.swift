import Foundation
import HTTPRange
import Testing
import TestSupport

/// What every request carries, body limits, content codings and conditional requests.
@Suite struct HTTPClientBehaviourTests {
    @Test func everyRequestAsksForIdentityEncoding() throws {
        try Fixture.with { fixture in
            fixture.server.setFile("/f", data: sampleData(10))
            _ = try fixture.client.get(fixture.server.url("/f"))
            _ = try fixture.client.send(HTTPRequest(url: fixture.server.url("/f"), headers: ["Accept-Encoding": "gzip"]))
            #expect(fixture.server.requests.map { $0.header("Accept-Encoding") } == ["identity", "identity"])
            #expect(fixture.server.requests.allSatisfy { $0.header("Cookie") == nil })
        }
    }

    @Test func bodyOverTheLimitStopsReading() throws {
        try Fixture.with { fixture in
            fixture.server.setFile("/big", data: Data(repeating: 0x5a, count: 4 << 20))
            let response = try fixture.client.send(HTTPRequest(url: fixture.server.url("/big")), bodyLimit: 1 << 16)
            #expect(response.status == 200)
            #expect(!response.bodyIsComplete)
            #expect(response.body.count <= 1 << 16)
            #expect(response.contentLength == 4 << 20)
        }
    }

    @Test func rejectedContentEncodingStopsReading() throws {
        try Fixture.with { fixture in
            fixture.server.setFile("/f", data: sampleData(1000))
            fixture.server.setFaults(ServerFaults(gzipRangeResponses: true), for: "/f")
            let response = try fixture.client.send(HTTPRequest(url: fixture.server.url("/f"), headers: ["Range": "bytes=0-99"]))
            #expect(response.status == 206)
            #expect(response.contentEncoding == "gzip")
            #expect(!response.bodyIsComplete)
            #expect(fixture.server.requests.count == 1)
        }
    }

    @Test func conditionalRequestReturns304() throws {
        try Fixture.with { fixture in
            let server = fixture.server
            server.setFile("/index/", data: Data("<html></html>".utf8))
            let etag = try #require(server.etag(of: "/index/"))
            let fresh = try fixture.client.get(server.url("/index/"), headers: ["If-None-Match": etag])
            #expect(fresh.status == 304)
            #expect(fresh.body.isEmpty)
            #expect(fresh.headers["ETag"] == etag)
            let stale = try fixture.client.get(server.url("/index/"), headers: ["If-None-Match": "\"old\""])
            #expect(stale.status == 200)
            #expect(stale.body == Data("<html></html>".utf8))
            #expect(server.requests.map { $0.header("If-None-Match") } == [etag, "\"old\""])
        }
    }

    @Test func onlyHTTPAndHTTPSAreAccepted() throws {
        let client = HTTPClient()
        let error = caughtError { _ = try client.get(URL(string: "ftp://user:secret@127.0.0.1/x")!) }
        #expect(error as? HTTPClientError == .unsupportedScheme(url: "ftp://127.0.0.1/x"))
        let fileError = caughtError { _ = try client.get(URL(fileURLWithPath: "/tmp/x")) }
        #expect(fileError is HTTPClientError)
    }

    @Test func headerFieldsAreCaseInsensitive() {
        var fields: HTTPHeaderFields = ["Content-Range": "bytes 0-1/2"]
        #expect(fields["content-range"] == "bytes 0-1/2")
        fields["CONTENT-RANGE"] = nil
        #expect(fields["Content-Range"] == nil)
    }
}
