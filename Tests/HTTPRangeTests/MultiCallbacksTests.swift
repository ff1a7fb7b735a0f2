import HTTPRange
import Testing
import TestSupport

#if canImport(CurlMultiCallbacks)
import CurlMultiCallbacks
#endif

/// `CurlMultiCallbacks`: the socket and timer callbacks FoundationNetworking registers with libcurl
/// are the wrapped ones in this build, as in the shipped binary (the end-to-end tests
/// `test_cli_waits_for_a_slow_answer_without_spinning` and `test_endless_bodies_leave_serve_small`
/// check what each is for: no busy wait, and a refused endless body stops arriving).
@Suite(.serialized) struct MultiCallbacksTests {
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

    @Test func aBodyArrivingFasterThanOneBatchPausesBetweenBatches() throws {
        try Fixture.with { fixture in
            let body = sampleData(32 << 20)
            fixture.server.setFile("/large", data: body)
            let response = try fixture.client.send(HTTPRequest(url: fixture.server.url("/large")))
            #expect(response.body == body)
            // libcurl reads at most a batch per call and asks for the next at once: the second
            // such request in a row reached FoundationNetworking as 1 ms.
            #expect(lazywheel_curl_unhurried_timers() > 0)
        }
    }
    #endif
}
