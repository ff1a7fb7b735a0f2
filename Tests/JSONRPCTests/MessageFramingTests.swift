import Foundation
import Testing

@testable import JSONRPC

/// One frame as bytes, with optional extra header lines before Content-Length.
private func frame(_ body: String, headers: [String] = []) -> [UInt8] {
    let bodyBytes = Array(body.utf8)
    var text = ""
    for header in headers { text += header + "\r\n" }
    text += "Content-Length: \(bodyBytes.count)\r\n\r\n"
    return Array(text.utf8) + bodyBytes
}

private func message(_ body: String) -> FramingEvent { .message(Data(body.utf8)) }

private func feed(_ chunks: [[UInt8]], limits: FramingLimits = FramingLimits()) -> [FramingEvent] {
    var framer = MessageFramer(limits: limits)
    var events: [FramingEvent] = []
    for chunk in chunks { events += framer.consume(chunk) }
    return events
}

@Suite("Content-Length framing")
struct MessageFramingTests {
    @Test func singleFrame() {
        #expect(feed([frame(#"{"a":1}"#)]) == [message(#"{"a":1}"#)])
    }

    @Test func encoderRoundTrip() {
        let body = Data(#"{"jsonrpc":"2.0","method":"x"}"#.utf8)
        let encoded = MessageFrameEncoder.frame(body)
        #expect(String(decoding: encoded, as: UTF8.self) == "Content-Length: 30\r\n\r\n" + String(decoding: body, as: UTF8.self))
        #expect(feed([Array(encoded)]) == [.message(body)])
    }

    @Test func severalFramesInOneChunk() {
        let stream = frame("{}") + frame("[1,2]") + frame(#""é""#, headers: ["Content-Type: application/vscode-jsonrpc; charset=utf-8"])
        #expect(feed([stream]) == [message("{}"), message("[1,2]"), message(#""é""#)])
    }

    @Test func splitAtEveryByteOffset() {
        let stream =
            frame(#"{"id":1}"#, headers: ["Content-Type: application/vscode-jsonrpc; charset=utf-8"])
            + frame(#"{"id":22}"#)
        let expected = [message(#"{"id":1}"#), message(#"{"id":22}"#)]
        for offset in 0...stream.count {
            let events = feed([Array(stream[..<offset]), Array(stream[offset...])])
            #expect(events == expected, "split at byte \(offset)")
        }
        // Three-way splits too.
        for first in stride(from: 0, through: stream.count, by: 3) {
            for second in stride(from: first, through: stream.count, by: 5) {
                let events = feed([Array(stream[..<first]), Array(stream[first..<second]), Array(stream[second...])])
                #expect(events == expected, "split at bytes \(first) and \(second)")
            }
        }
    }

    @Test func byteByByte() {
        let stream = frame("{}") + frame("null")
        #expect(feed(stream.map { [$0] }) == [message("{}"), message("null")])
    }

    @Test func headerNamesAreCaseInsensitive() {
        let stream = Array("content-LENGTH: 2\r\nCONTENT-type: application/vscode-jsonrpc; CHARSET=UTF-8\r\n\r\n{}".utf8)
        #expect(feed([stream]) == [message("{}")])
    }

    @Test func bareLineFeedsAndBlankLinesBetweenFrames() {
        let stream = Array("Content-Length: 2\n\n{}\r\n\r\n".utf8) + frame("[]")
        #expect(feed([stream]) == [message("{}"), message("[]")])
    }

    @Test func unknownHeadersAreIgnored() {
        #expect(feed([frame("{}", headers: ["X-Trace: 1", "User-Agent: tests"])]) == [message("{}")])
    }

    @Test func zeroLengthBody() {
        #expect(feed([Array("Content-Length: 0\r\n\r\n".utf8) + frame("{}")]) == [message(""), message("{}")])
    }

    @Test(arguments: [
        "application/vscode-jsonrpc; charset=utf-8",
        "application/vscode-jsonrpc; charset=utf8",
        "application/vscode-jsonrpc;charset=UTF-8",
        "application/vscode-jsonrpc; charset=\"utf-8\"",
        "application/vscode-jsonrpc",
        "application/json; charset=utf-8",
    ])
    func acceptedContentTypes(_ contentType: String) {
        #expect(feed([frame("{}", headers: ["Content-Type: \(contentType)"])]) == [message("{}")])
    }

    @Test(arguments: [
        "application/vscode-jsonrpc; charset=latin1",
        "application/vscode-jsonrpc; charset=utf-16",
        "application/vscode-jsonrpc; charset=ascii",
    ])
    func rejectedCharsetSkipsTheBody(_ contentType: String) {
        let stream = frame(#"{"skipped":true}"#, headers: ["Content-Type: \(contentType)"]) + frame("{}")
        #expect(feed([stream]) == [
            .error(.unsupportedCharset(contentType: contentType)), .skippedBodyHead(Data(#"{"skipped":true}"#.utf8)),
            message("{}"),
        ])
    }

    @Test func missingContentLength() {
        let stream = Array("X-Foo: bar\r\n\r\n{}".utf8) + frame("[]")
        #expect(feed([stream]) == [
            .error(.missingContentLength), .resynchronized(discardedBytes: 16), message("[]"),
        ])
    }

    @Test(arguments: ["abc", "-5", "12x", "", "+5", "0x10", "99999999999999999999999", "1 2", "５"])
    func invalidContentLength(_ value: String) {
        let bad = Array("Content-Length: \(value)\r\n\r\n{}".utf8)
        let events = feed([bad + frame("[]")])
        #expect(events == [
            .error(.invalidContentLength(value: value)),
            .resynchronized(discardedBytes: bad.count),
            message("[]"),
        ])
    }

    @Test func conflictingContentLengths() {
        let bad = Array("Content-Length: 2\r\nContent-Length: 3\r\n\r\n{}".utf8)
        let events = feed([bad + frame("[]")])
        #expect(events.first == .error(.invalidContentLength(value: "2 and 3")))
        #expect(events.last == message("[]"))
        #expect(events.count == 3)
    }

    @Test func headerWithoutColon() {
        let stream = Array("garbage\r\n".utf8) + frame("{}")
        #expect(feed([stream]) == [
            .error(.headerWithoutColon(line: "garbage")), .resynchronized(discardedBytes: 9), message("{}"),
        ])
    }

    @Test func headerWithoutColonAfterContentLength() {
        // The frame's own Content-Length is not trusted again; the next frame is found.
        let stream = Array("Content-Length: 5\r\nbogus\r\n\r\nhello".utf8) + frame("{}")
        let events = feed([stream])
        #expect(events == [
            .error(.headerWithoutColon(line: "bogus")), .resynchronized(discardedBytes: 33), message("{}"),
        ])
    }

    @Test func garbageBetweenFramesThenAValidFrame() {
        // Garbage without a line break glued to the next header, and garbage with line breaks.
        let glued = frame("1") + Array("\u{01}junk".utf8) + frame("2")
        #expect(feed([glued]) == [
            message("1"), .error(.missingContentLength), .resynchronized(discardedBytes: 5), message("2"),
        ])
        let lines = frame("1") + Array("}}}\r\n\r\n\r\n".utf8) + frame("2")
        let events = feed([lines])
        #expect(events.first == message("1"))
        #expect(events.last == message("2"))
        #expect(events.contains(.error(.headerWithoutColon(line: "}}}"))))
        // The same stream split at every offset still recovers the last frame.
        for offset in 0...lines.count {
            let split = feed([Array(lines[..<offset]), Array(lines[offset...])])
            #expect(split == events, "split at byte \(offset)")
        }
    }

    @Test func binaryGarbageOfAnySizeThenAValidFrame() {
        var garbage: [UInt8] = []
        var seed: UInt32 = 12345
        for _ in 0..<20_000 {
            seed = seed &* 1_103_515_245 &+ 12345
            garbage.append(UInt8(truncatingIfNeeded: seed >> 16) | 0x80)  // never ASCII
        }
        let stream = garbage + frame("{}")
        for chunkSize in [1, 7, 1000, stream.count] {
            var chunks: [[UInt8]] = []
            var start = 0
            while start < stream.count {
                chunks.append(Array(stream[start..<min(start + chunkSize, stream.count)]))
                start += chunkSize
            }
            let events = feed(chunks)
            #expect(events.first == .error(.headerSectionTooLong(limit: 8192)), "chunk size \(chunkSize)")
            #expect(events.last == message("{}"), "chunk size \(chunkSize)")
            #expect(events.filter { if case .message = $0 { true } else { false } }.count == 1)
        }
    }

    @Test func headerSectionCap() {
        let limits = FramingLimits(maximumHeaderBytes: 64, maximumBodyBytes: 1024)
        let longHeader = "X-Long: " + String(repeating: "a", count: 100)
        let stream = frame("{}", headers: [longHeader]) + frame("[]")
        // The scan resumes inside the rejected section and finds its Content-Length line.
        let expected: [FramingEvent] = [
            .error(.headerSectionTooLong(limit: 64)), .resynchronized(discardedBytes: 110), message("{}"), message("[]"),
        ]
        #expect(feed([stream], limits: limits) == expected)
        #expect(feed(stream.map { [$0] }, limits: limits) == expected)
    }

    @Test func oversizedBodyIsSkippedNotBuffered() {
        let limits = FramingLimits(maximumHeaderBytes: 8192, maximumBodyBytes: 10)
        let big = String(repeating: "x", count: 5000)
        var framer = MessageFramer(limits: limits)
        var events = framer.consume(Array("Content-Length: 5000\r\n\r\n".utf8))
        #expect(events == [.error(.bodyTooLarge(length: 5000, limit: 10))])
        // The body arrives in pieces and is dropped as it comes.
        for piece in stride(from: 0, to: 5000, by: 1000) {
            events += framer.consume(Array(big.utf8)[piece..<(piece + 1000)])
            #expect(!framer.isAtFrameBoundary || piece == 4000)
        }
        #expect(framer.isAtFrameBoundary)
        events += framer.consume(frame("{}"))
        let head = Data(String(repeating: "x", count: MessageFramer.skippedHeadLength).utf8)
        #expect(events == [.error(.bodyTooLarge(length: 5000, limit: 10)), .skippedBodyHead(head), message("{}")])
    }

    @Test func bodyAtTheCapIsAccepted() {
        let limits = FramingLimits(maximumHeaderBytes: 8192, maximumBodyBytes: 2)
        #expect(feed([frame("{}")], limits: limits) == [message("{}")])
    }

    @Test func defaultLimits() {
        let limits = FramingLimits()
        #expect(limits.maximumHeaderBytes == 8 * 1024)
        #expect(limits.maximumBodyBytes == 64 * 1024 * 1024)
        let huge = Array("Content-Length: 67108865\r\n\r\n".utf8)
        #expect(feed([huge]) == [.error(.bodyTooLarge(length: 67_108_865, limit: 67_108_864))])
    }

    @Test func truncatedInputIsReported() {
        var framer = MessageFramer()
        #expect(framer.consume(Array("Content-Length: 10\r\n\r\n{\"a\"".utf8)).isEmpty)
        #expect(framer.finish() == [.error(.truncatedFrame(bufferedBytes: 4))])

        var clean = MessageFramer()
        _ = clean.consume(frame("{}") + Array("\r\n".utf8))
        #expect(clean.finish().isEmpty)
    }

    @Test func garbageHeaderBeforeContentLengthInTheSameSection() {
        let stream = Array("X-Foo: bar\r\n!!!\r\nContent-Length: 2\r\n\r\n{}".utf8)
        #expect(feed([stream]) == [
            .error(.headerWithoutColon(line: "!!!")), .resynchronized(discardedBytes: 17), message("{}"),
        ])
    }

    /// However a stream of good and bad frames is chopped up, the framer reports the same events.
    @Test func eventsDoNotDependOnHowInputIsChunked() {
        let limits = FramingLimits(maximumHeaderBytes: 256, maximumBodyBytes: 100)
        var stream: [UInt8] = []
        stream += frame(#"{"n":1}"#)
        stream += Array("garbage line\r\n".utf8)
        stream += frame(#"{"n":2}"#, headers: ["Content-Type: application/vscode-jsonrpc; charset=utf8"])
        stream += Array("Content-Length: twelve\r\n\r\n{\"x\":1}".utf8)
        stream += frame(#"{"n":3}"#)
        stream += frame(#"{"n":4}"#, headers: ["Content-Type: text/plain; charset=latin1"])
        stream += frame(#"{"n":5}"#)
        stream += Array("X-Only: header\r\n\r\n{}".utf8)
        stream += Array("Content-Length: 150\r\n\r\n".utf8) + [UInt8](repeating: 0x41, count: 150)
        stream += Array("content-length: 0\n\n".utf8)
        stream += [UInt8](repeating: 0xE9, count: 300)
        stream += frame(#"{"n":6}"#)
        stream += Array("Content-Length: 7\r\n\r\n{\"n\"".utf8)  // truncated at the end

        var whole = MessageFramer(limits: limits)
        let expected = whole.consume(stream) + whole.finish()
        let messages = expected.compactMap { event -> String? in
            if case .message(let body) = event { return String(decoding: body, as: UTF8.self) }
            return nil
        }
        #expect(messages == [#"{"n":1}"#, #"{"n":2}"#, #"{"n":3}"#, #"{"n":5}"#, "", #"{"n":6}"#])
        #expect(expected.last == .error(.truncatedFrame(bufferedBytes: 4)))

        var seed: UInt64 = 0x9E37_79B9_7F4A_7C15
        for round in 0..<150 {
            var framer = MessageFramer(limits: limits)
            var events: [FramingEvent] = []
            var start = 0
            while start < stream.count {
                seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                let maximum = round % 3 == 0 ? 4 : 90
                let size = Int(seed >> 33) % maximum + 1
                let end = min(start + size, stream.count)
                events += framer.consume(stream[start..<end])
                start = end
            }
            events += framer.finish()
            #expect(events == expected, "round \(round)")
        }
    }

    @Test func errorDescriptionsAreActionable() {
        #expect(FramingError.bodyTooLarge(length: 5, limit: 4).description.contains("exceeds the limit of 4 bytes"))
        #expect(FramingError.headerWithoutColon(line: "x").description.contains("Name: value"))
    }
}
