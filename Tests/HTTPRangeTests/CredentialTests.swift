import Foundation
import HTTPRange
import Testing
import TestSupport

/// Userinfo credentials become Basic authorization and never appear in any message.
@Suite struct CredentialTests {
    static let secret = "pa55-w0rd-XYZZY"

    @Test func userinfoBecomesBasicAuthorization() throws {
        try Fixture.with { fixture in
            fixture.server.setFile("/f", data: sampleData(10))
            _ = try fixture.client.get(fixture.server.url("/f", user: "alice", password: Self.secret))
            let request = try #require(fixture.server.requests.first)
            let expected = "Basic " + Data("alice:\(Self.secret)".utf8).base64EncodedString()
            #expect(request.header("Authorization") == expected)
        }
    }

    @Test func splitAndRedact() {
        let url = URL(string: "https://alice:p%40ss@index.example/simple/x/?q=1")!
        let (plain, credentials) = URLCredentials.split(url)
        #expect(plain.absoluteString == "https://index.example/simple/x/?q=1")
        #expect(credentials == URLCredentials(user: "alice", password: "p@ss"))
        #expect(URLCredentials.redacted(url) == "https://index.example/simple/x/?q=1")
        #expect(URLCredentials.split(URL(string: "https://index.example/")!).credentials == nil)
    }

    /// Every kind of failure, with credentials in the URL: no message may contain them.
    @Test func credentialsNeverAppearInErrors() throws {
        let retry = RetryPolicy(maxAttempts: 2, initialDelay: 0.01, multiplier: 1, maxDelay: 0.01)
        try Fixture.with(retry: retry, requestTimeout: 0.3, maxRedirects: 2) { fixture in
            let server = fixture.server
            server.setFile("/big", data: Data(repeating: 0x5a, count: 2 << 20))
            server.setFile("/gz", data: sampleData(100))
            server.setFile("/lie", data: sampleData(100))
            server.setFile("/empty", data: Data())
            server.setFile("/short", data: sampleData(10_000))
            server.setFaults(ServerFaults(status: 503), for: "/down")
            server.setFaults(ServerFaults(redirect: .loop), for: "/loop")
            server.setFaults(ServerFaults(stallBeforeHeaders: 2), for: "/slow")
            server.setFaults(ServerFaults(ignoreRange: true), for: "/big")
            server.setFaults(ServerFaults(gzipRangeResponses: true), for: "/gz")
            server.setFaults(ServerFaults(contentRangeLie: .start(offsetBy: 1)), for: "/lie")
            server.setFaults(ServerFaults(body: .reset), for: "/short")
            var messages: [String] = []
            for path in ["/down", "/loop", "/slow", "/big", "/gz", "/lie", "/empty", "/short", "/missing"] {
                let secretURL = server.url(path, user: "alice", password: Self.secret)
                let withSecret = HTTPRangeSource(url: secretURL, client: fixture.client)
                #expect(!withSecret.displayName.contains(Self.secret))
                let error = caughtError { _ = try withSecret.readTail(length: 64, cancellation: nil) }
                let unwrapped = try #require(error, "\(path) should fail")
                messages.append(String(describing: unwrapped))
                messages.append(unwrapped.localizedDescription)
                messages.append("\(unwrapped)")
            }
            for message in messages {
                #expect(!message.contains(Self.secret), "\(message)")
                #expect(!message.contains("alice"), "\(message)")
            }
            #expect(messages.count == 27)
        }
    }
}
