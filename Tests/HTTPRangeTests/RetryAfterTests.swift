import Foundation
import HTTPRange
import Testing

/// ``RetryPolicy/retryAfter(status:value:now:)``: `Retry-After` as seconds or an HTTP date, only
/// on 429 and 503 (RFC 9110 §10.2.3, RFC 6585 §4).
@Suite struct RetryAfterTests {
    @Test func secondsAndDatesAreRead() {
        let now = Date(timeIntervalSince1970: 1_445_412_480)  // Wed, 21 Oct 2015 07:28:00 GMT
        #expect(RetryPolicy.retryAfter(status: 503, value: "120", now: now) == 120)
        #expect(RetryPolicy.retryAfter(status: 429, value: " 7 ", now: now) == 7)
        #expect(RetryPolicy.retryAfter(status: 503, value: "Wed, 21 Oct 2015 07:29:00 GMT", now: now) == 60)
        #expect(RetryPolicy.retryAfter(status: 503, value: "Wed, 21 Oct 2015 07:27:00 GMT", now: now) == 0)
    }

    @Test func otherStatusesAndValuesAreIgnored() {
        #expect(RetryPolicy.retryAfter(status: 500, value: "5") == nil)
        #expect(RetryPolicy.retryAfter(status: 503, value: nil) == nil)
        #expect(RetryPolicy.retryAfter(status: 503, value: "soon") == nil)
        #expect(RetryPolicy.retryAfter(status: 503, value: "-3") == nil)
    }

    @Test func deadlineMessageSaysWhatHappened() {
        let error = HTTPClientError.attemptDeadlineExceeded(url: "http://h/x.whl", seconds: 60, receivedBytes: 30, attempts: 1)
        #expect(error.description.contains("sent only 30 bytes in 60 s"))
        #expect(error.description.contains("attempt deadline"))
    }
}
