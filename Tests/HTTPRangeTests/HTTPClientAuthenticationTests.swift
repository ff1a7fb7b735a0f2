import Foundation
import HTTPRange
import Testing
import TestSupport

/// A server asking for credentials is answered at once, never retried; headers a client supplied
/// never follow a redirect to another origin.
@Suite struct HTTPClientAuthenticationTests {
    @Test(arguments: [401, 407])
    func credentialStatusesFailAtOnce(status: Int) throws {
        try Fixture.with { fixture in
            fixture.server.setFile("/private", data: sampleData(100))
            fixture.server.setFaults(ServerFaults(status: status), for: "/private")
            let url = fixture.server.url("/private", user: "alice", password: "s3cret")
            let error = caughtError { _ = try fixture.client.send(HTTPRequest(url: url, headers: ["Range": "bytes=0-9"])) }
            let clientError = try #require(error as? HTTPClientError)
            guard case .authenticationRequired(_, let answered, _) = clientError else {
                Issue.record("expected authenticationRequired, got \(clientError)")
                return
            }
            #expect(answered == status)
            #expect(fixture.server.requests.count == 1)
            #expect(!clientError.description.contains("s3cret"))
            #expect(!clientError.description.contains("alice"))
        }
    }

    @Test func unauthorizedNamesWhereCredentialsComeFrom() {
        let error = HTTPClientError.authenticationRequired(url: "https://index.test/simple/a/", status: 401, realm: "pypi")
        #expect(error.description.contains("https://index.test/simple/a/"))
        #expect(error.description.contains("netrc"))
        #expect(error.description.contains("UV_INDEX_<NAME>_USERNAME"))
        #expect(error.description.contains("keyring"))
    }

    @Test func everyClientHeaderIsDroppedOnACrossOriginRedirect() throws {
        try Fixture.with { fixture in
            fixture.server.setFile("/real", data: sampleData(100))
            fixture.server.setFaults(ServerFaults(redirect: .host("localhost", path: "/real")), for: "/moved")
            let secrets: HTTPHeaderFields = [
                "Cookie": "session=1", "X-Api-Key": "k", "Private-Token": "t", "Proxy-Authorization": "Basic eA==",
                "Authorization": "Bearer b", "Range": "bytes=0-9",
            ]
            let response = try fixture.client.send(HTTPRequest(url: fixture.server.url("/moved"), headers: secrets))
            #expect(response.status == 206)
            let first = try #require(fixture.server.requests(for: "/moved").first)
            let second = try #require(fixture.server.requests(for: "/real").first)
            #expect(first.header("X-Api-Key") == "k")
            for name in ["Cookie", "X-Api-Key", "Private-Token", "Proxy-Authorization", "Authorization"] {
                #expect(second.header(name) == nil, "\(name) reached the other origin")
            }
            #expect(second.range == "bytes=0-9")
        }
    }

    @Test func clientHeadersAreKeptOnTheSameOrigin() throws {
        try Fixture.with { fixture in
            fixture.server.setFile("/real", data: sampleData(100))
            fixture.server.setFaults(ServerFaults(redirect: .path("/real")), for: "/moved")
            _ = try fixture.client.send(HTTPRequest(url: fixture.server.url("/moved"), headers: ["X-Api-Key": "k"]))
            let second = try #require(fixture.server.requests(for: "/real").first)
            #expect(second.header("X-Api-Key") == "k")
        }
    }
}
