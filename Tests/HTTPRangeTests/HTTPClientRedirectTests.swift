import Foundation
import HTTPRange
import Testing
import TestSupport

/// Redirects keep `Range`/`If-Range`, drop `Authorization` when the host changes, and stop at a loop.
@Suite struct HTTPClientRedirectTests {
    @Test(arguments: [301, 302, 307, 308])
    func rangeSurvivesASameHostRedirect(status: Int) throws {
        try Fixture.with { fixture in
            fixture.server.setFile("/real", data: sampleData(100))
            fixture.server.setFaults(ServerFaults(redirect: .path("/real"), redirectStatus: status), for: "/moved")
            let response = try fixture.client.send(
                HTTPRequest(url: fixture.server.url("/moved"), headers: ["Range": "bytes=10-19", "If-Range": "\"x\""]),
                statistics: fixture.statistics)
            #expect(response.redirects == 1)
            let final = try #require(fixture.server.requests(for: "/real").first)
            #expect(final.range == "bytes=10-19")
            #expect(final.header("If-Range") == "\"x\"")
            #expect(fixture.statistics.snapshot.requests == 2)
        }
    }

    @Test func authorizationIsKeptOnTheSameHost() throws {
        try Fixture.with { fixture in
            fixture.server.setFile("/real", data: sampleData(100))
            fixture.server.setFaults(ServerFaults(redirect: .path("/real")), for: "/moved")
            _ = try fixture.client.get(fixture.server.url("/moved", user: "alice", password: "s3cret"))
            let hops = fixture.server.requests
            #expect(hops.count == 2)
            #expect(hops.allSatisfy { $0.header("Authorization") == URLCredentials(user: "alice", password: "s3cret").authorizationHeaderValue })
        }
    }

    @Test func authorizationIsDroppedWhenTheHostChanges() throws {
        try Fixture.with { fixture in
            fixture.server.setFile("/real", data: sampleData(100))
            fixture.server.setFaults(ServerFaults(redirect: .host("localhost", path: "/real")), for: "/moved")
            let response = try fixture.client.send(
                HTTPRequest(url: fixture.server.url("/moved", user: "alice", password: "s3cret"), headers: ["Range": "bytes=0-9"]))
            #expect(response.status == 206)
            let first = try #require(fixture.server.requests(for: "/moved").first)
            let second = try #require(fixture.server.requests(for: "/real").first)
            #expect(first.header("Authorization") != nil)
            #expect(second.header("Host")?.hasPrefix("localhost") == true)
            #expect(second.header("Authorization") == nil)
            #expect(second.range == "bytes=0-9")
        }
    }

    @Test func redirectLoopIsAClearError() throws {
        try Fixture.with(maxRedirects: 4) { fixture in
            fixture.server.setFaults(ServerFaults(redirect: .loop), for: "/loop")
            let url = fixture.server.url("/loop", user: "bob", password: "hunter2")
            let error = caughtError { _ = try fixture.client.get(url) }
            let expected = HTTPClientError.tooManyRedirects(url: fixture.server.url("/loop").absoluteString, limit: 4)
            #expect(error as? HTTPClientError == expected)
            #expect(expected.description.contains("redirect loop"))
            #expect(fixture.server.requests.count == 5)
        }
    }
}
