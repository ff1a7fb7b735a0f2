import Foundation
import HTTPRange
import LazyZip
import Testing
import TestSupport

/// `readTail` sends one suffix range and no HEAD, and checks the answer strictly.
@Suite struct RangeSourceTailTests {
    @Test func suffixRangeLearnsTheSizeInOneRequest() throws {
        try Fixture.with { fixture in
            let data = sampleData(100_000)
            fixture.server.setFile("/w.whl", data: data)
            let source = fixture.source("/w.whl")
            let tail = try source.readTail(length: 4096, cancellation: nil)
            #expect(tail == TailRead(totalSize: 100_000, offset: 100_000 - 4096, bytes: data.suffix(4096)))
            let requests = fixture.server.requests
            #expect(requests.count == 1)
            #expect(requests.allSatisfy { $0.method == "GET" })
            #expect(requests.first?.range == "bytes=-4096")
            #expect(requests.first?.header("If-Range") == nil)
            #expect(fixture.statistics.snapshot.requests == 1)
            #expect(fixture.statistics.snapshot.headRequests == 0)
            #expect(fixture.statistics.snapshot.bytesFetched == 4096)
            #expect(source.totalSize == 100_000)
        }
    }

    @Test func fileShorterThanTheTailComesWhole() throws {
        try Fixture.with { fixture in
            let data = sampleData(300)
            fixture.server.setFile("/small.whl", data: data)
            let tail = try fixture.source("/small.whl").readTail(length: 4096, cancellation: nil)
            #expect(tail == TailRead(totalSize: 300, offset: 0, bytes: data))
        }
    }

    @Test func laterReadsSendIfRangeWithTheStrongETag() throws {
        try Fixture.with { fixture in
            let data = sampleData(50_000)
            fixture.server.setFile("/w.whl", data: data)
            let source = fixture.source("/w.whl")
            _ = try source.readTail(length: 1000, cancellation: nil)
            let bytes = try source.read(100..<200, cancellation: nil)
            #expect(bytes == data.subdata(in: 100..<200))
            let second = try #require(fixture.server.requests.last)
            #expect(second.range == "bytes=100-199")
            #expect(second.header("If-Range") == fixture.server.etag(of: "/w.whl"))
            #expect(fixture.statistics.snapshot.requests == 2)
            #expect(fixture.statistics.snapshot.headRequests == 0)
        }
    }

    @Test func lastModifiedIsTheValidatorWithoutAStrongETag() throws {
        for faults in [ServerFaults(omitETag: true), ServerFaults(weakETag: true)] {
            try Fixture.with { fixture in
                fixture.server.setFile("/w.whl", data: sampleData(5000))
                fixture.server.setFaults(faults, for: "/w.whl")
                let source = fixture.source("/w.whl")
                _ = try source.readTail(length: 100, cancellation: nil)
                _ = try source.read(0..<10, cancellation: nil)
                let ifRange = try #require(fixture.server.requests.last?.header("If-Range"))
                #expect(ifRange.hasSuffix("GMT"))
            }
        }
    }

    @Test func smallWholeFileAnswerIsKeptAndServesLaterReads() throws {
        try Fixture.with { fixture in
            let data = sampleData(20_000)
            fixture.server.setFile("/w.whl", data: data)
            fixture.server.setFaults(ServerFaults(ignoreRange: true), for: "/w.whl")
            let source = fixture.source("/w.whl")
            let tail = try source.readTail(length: 1000, cancellation: nil)
            #expect(tail == TailRead(totalSize: 20_000, offset: 0, bytes: data))
            #expect(try source.read(5..<10, cancellation: nil) == data.subdata(in: 5..<10))
            #expect(try source.readTail(length: 10, cancellation: nil).bytes == data.suffix(10))
            #expect(fixture.server.requests.count == 1)
            #expect(fixture.capabilities.capabilities(for: fixture.server.url("/")).ignoresRange)
        }
    }

    @Test func largeWholeFileAnswerStopsAndReports() throws {
        try Fixture.with { fixture in
            fixture.server.setFile("/big.whl", data: Data(repeating: 0x5a, count: 16_000_000))
            fixture.server.setFaults(ServerFaults(ignoreRange: true), for: "/big.whl")
            let source = fixture.source("/big.whl", wholeFileLimit: 1 << 20)
            let error = caughtError { _ = try source.readTail(length: 1000, cancellation: nil) }
            #expect(error as? HTTPRangeError == .rangeIgnored(url: source.displayName, size: 16_000_000))
            let message = message(of: error)
            #expect(message.contains("server ignored the Range header and sent the whole 16 MB file"))
            #expect(fixture.statistics.snapshot.bytesFetched < 2 << 20)
        }
    }

    @Test func emptyFileIsAClearError() throws {
        try Fixture.with { fixture in
            fixture.server.setFile("/empty.whl", data: Data())
            let source = fixture.source("/empty.whl")
            let error = caughtError { _ = try source.readTail(length: 100, cancellation: nil) }
            #expect(error as? HTTPRangeError == .emptyFile(url: source.displayName))
        }
    }

    @Test func readPastTheEndIsRejected() throws {
        try Fixture.with { fixture in
            fixture.server.setFile("/w.whl", data: sampleData(1000))
            let source = fixture.source("/w.whl")
            let unknownSize = caughtError { _ = try source.read(2000..<2010, cancellation: nil) }
            #expect(unknownSize as? HTTPRangeError == .rangeNotSatisfiable(url: source.displayName, requested: "bytes=2000-2009", size: 1000))
            let clamped = caughtError { _ = try source.read(990..<1010, cancellation: nil) }
            #expect(clamped as? HTTPRangeError == .outOfBounds(url: source.displayName, requested: 990..<1010, size: 1000))
            _ = try source.readTail(length: 10, cancellation: nil)
            let requestsBefore = fixture.server.requests.count
            let known = caughtError { _ = try source.read(995..<1005, cancellation: nil) }
            #expect(known as? HTTPRangeError == .outOfBounds(url: source.displayName, requested: 995..<1005, size: 1000))
            #expect(fixture.server.requests.count == requestsBefore)
            #expect(try source.read(5..<5, cancellation: nil).isEmpty)
        }
    }

    @Test func notFoundIsAClearError() throws {
        try Fixture.with { fixture in
            let source = fixture.source("/missing.whl")
            let error = caughtError { _ = try source.readTail(length: 100, cancellation: nil) }
            #expect(error as? HTTPRangeError == .unexpectedStatus(url: source.displayName, status: 404))
            #expect(message(of: error).contains("was not found"))
            #expect(!fixture.capabilities.capabilities(for: fixture.server.url("/")).refusesSuffixRanges)
        }
    }
}
