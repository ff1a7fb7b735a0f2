import Foundation
import HTTPRange
import LazyZip
import Testing
import TestSupport

/// Answers that break RFC 9110 range semantics, or a file that changes, are typed errors.
@Suite struct RangeSourceValidationTests {
    @Test(arguments: [
        ServerFaults.ContentRangeLie.start(offsetBy: 1),
        .start(offsetBy: -1),
        .end(offsetBy: -1),
        .total(offsetBy: 10),
        .total(offsetBy: -10),
    ])
    func lyingContentRangeIsRejected(lie: ServerFaults.ContentRangeLie) throws {
        try Fixture.with { fixture in
            fixture.server.setFile("/w.whl", data: sampleData(10_000))
            fixture.server.setFaults(ServerFaults(contentRangeLie: lie), for: "/w.whl")
            let source = fixture.source("/w.whl")
            let tailError = caughtError { _ = try source.readTail(length: 100, cancellation: nil) }
            #expect(tailError is HTTPRangeError, "\(String(describing: tailError))")
            // A bounded answer that lies consistently about the total is caught against a known size.
            let sized = fixture.source("/w.whl", knownSize: 10_000)
            let readError = caughtError { _ = try sized.read(10..<20, cancellation: nil) }
            #expect(readError is HTTPRangeError, "\(String(describing: readError))")
        }
    }

    @Test func lyingContentRangeMessageNamesBothRanges() throws {
        try Fixture.with { fixture in
            fixture.server.setFile("/w.whl", data: sampleData(10_000))
            fixture.server.setFaults(ServerFaults(contentRangeLie: .end(offsetBy: 5)), for: "/w.whl")
            let source = fixture.source("/w.whl")
            let error = caughtError { _ = try source.read(10..<20, cancellation: nil) }
            #expect(error as? HTTPRangeError == .invalidContentRange(url: source.displayName, requested: "bytes=10-19", received: "bytes 10-24/10000"))
        }
    }

    @Test func gzipEncodedRangeIsRejected() throws {
        try Fixture.with { fixture in
            fixture.server.setFile("/w.whl", data: sampleData(10_000))
            fixture.server.setFaults(ServerFaults(gzipRangeResponses: true), for: "/w.whl")
            let source = fixture.source("/w.whl")
            let error = caughtError { _ = try source.readTail(length: 100, cancellation: nil) }
            #expect(error as? HTTPRangeError == .contentEncoded(url: source.displayName, encoding: "gzip"))
            #expect(fixture.server.requests.count == 1)
        }
    }

    @Test func fileReplacedBetweenTwoRequestsIsDetected() throws {
        try Fixture.with { fixture in
            fixture.server.setFile("/w.whl", data: sampleData(10_000))
            fixture.server.setFaults(ServerFaults(replaceAfterRequests: 1, replacement: sampleData(10_000, seed: 99)), for: "/w.whl")
            let source = fixture.source("/w.whl")
            _ = try source.readTail(length: 100, cancellation: nil)
            let error = caughtError { _ = try source.read(0..<10, cancellation: nil) }
            guard case .fileChanged = error as? HTTPRangeError else {
                Issue.record("expected fileChanged, got \(String(describing: error))")
                return
            }
            // The server saw If-Range with the old ETag and answered with the whole new file.
            let second = try #require(fixture.server.requests.last)
            #expect(second.header("If-Range") != nil)
            #expect(second.status == 200)
        }
    }

    /// A server that ignores If-Range but changes its ETag is caught by comparing validators.
    @Test func changedETagOnA206IsDetected() throws {
        try Fixture.with { fixture in
            fixture.server.setFile("/w.whl", data: sampleData(10_000))
            let source = fixture.source("/w.whl")
            _ = try source.readTail(length: 100, cancellation: nil)
            fixture.server.setFile("/w.whl", data: sampleData(10_000, seed: 3))
            fixture.server.setFaults(ServerFaults(), for: "/w.whl")
            // Same size, new version; the If-Range mismatch makes the server send 200.
            let error = caughtError { _ = try source.read(0..<10, cancellation: nil) }
            #expect({ if case .fileChanged = error as? HTTPRangeError { true } else { false } }())
        }
    }

    @Test func sizeChangeAgainstAKnownSizeIsDetected() throws {
        try Fixture.with { fixture in
            fixture.server.setFile("/w.whl", data: sampleData(10_000))
            let source = fixture.source("/w.whl", knownSize: 12_000)
            let error = caughtError { _ = try source.read(0..<10, cancellation: nil) }
            #expect(error as? HTTPRangeError == .fileChanged(url: source.displayName, detail: "its size changed from 12000 to 10000 bytes"))
        }
    }

    @Test func contentRangeParsing() {
        #expect(ContentRange("bytes 0-9/100") == ContentRange(range: 0...9, completeLength: 100))
        #expect(ContentRange("bytes 0-9/*") == ContentRange(range: 0...9, completeLength: nil))
        #expect(ContentRange("bytes */100") == ContentRange(range: nil, completeLength: 100))
        for bad in ["bytes 9-0/100", "bytes 0-100/100", "items 0-9/100", "bytes 0-9", "bytes */*", "bytes -1-9/100", ""] {
            #expect(ContentRange(bad) == nil, "\(bad)")
        }
    }

    @Test func sizesAreWordedForPeople() {
        #expect(HTTPRangeError.rangeIgnored(url: "u", size: 16_000_000).description.contains("16 MB"))
        #expect(HTTPRangeError.rangeIgnored(url: "u", size: 1_500_000).description.contains("1.5 MB"))
        #expect(HTTPRangeError.rangeIgnored(url: "u", size: nil).description.contains("the whole file"))
    }
}
