import Foundation
import Testing
import TestSupport
import HTTPRange
@Test func zzDebug() throws {
    let retry = RetryPolicy(maxAttempts: 2, initialDelay: 0.01, multiplier: 1, maxDelay: 0.01)
    try Fixture.with(retry: retry, requestTimeout: 0.3, maxRedirects: 2) { fixture in
        fixture.server.setFaults(ServerFaults(status: 503), for: "/down")
        let s = HTTPRangeSource(url: fixture.server.url("/down"), client: fixture.client)
        let t0 = Date()
        let error = caughtError { _ = try s.readTail(length: 64, cancellation: nil) }
        print("DBG", error as Any, Date().timeIntervalSince(t0))
        for r in fixture.server.requests { print("DBG", r.method, r.path, r.status, r.range as Any) }
    }
}
