import HTTPRange
import Testing
import TestSupport

#if canImport(CurlSocketWatch)
import CurlSocketWatch
#endif

/// `CurlSocketWatch`: the socket callback FoundationNetworking registers with libcurl is the
/// narrowing one in this build, as in the shipped binary (the end-to-end test
/// `test_cli_waits_for_a_slow_answer_without_spinning` checks the CPU time of a stalled request).
@Suite struct SocketWatchTests {
    #if os(Linux)
    @Test func aSentRequestNarrowsItsSocketsWatchToReading() throws {
        try Fixture.with { fixture in
            fixture.server.setFile("/f", data: sampleData(1000))
            let response = try fixture.client.get(fixture.server.url("/f"))
            #expect(response.status == 200)
            // Once the request is written libcurl only reads: the write watch must have gone.
            #expect(lazywheel_curl_narrowed_watches() > 0)
        }
    }
    #endif
}
