import Foundation

/// Size caps that keep a misbehaving peer from making ``MessageFramer`` buffer without bound.
public struct FramingLimits: Sendable, Hashable {
    /// The longest header section (all header lines of one frame) accepted, in bytes.
    public var maximumHeaderBytes: Int
    /// The largest `Content-Length` whose body is buffered; larger bodies are skipped.
    public var maximumBodyBytes: Int

    public init(maximumHeaderBytes: Int = 8 * 1024, maximumBodyBytes: Int = 64 * 1024 * 1024) {
        self.maximumHeaderBytes = maximumHeaderBytes
        self.maximumBodyBytes = maximumBodyBytes
    }
}

/// What went wrong with a frame of the LSP base protocol; each case says how the framer recovered.
public enum FramingError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A header line has no `:`. The framer resynchronizes on the next `Content-Length:`.
    case headerWithoutColon(line: String)
    /// A header section ended without `Content-Length`. The framer resynchronizes.
    case missingContentLength
    /// `Content-Length` is not a non-negative decimal integer (or two disagree). The framer resynchronizes.
    case invalidContentLength(value: String)
    /// The header section grew past the cap without a blank line. The framer resynchronizes.
    case headerSectionTooLong(limit: Int)
    /// `Content-Type` names a charset other than UTF-8. The body was skipped.
    case unsupportedCharset(contentType: String)
    /// `Content-Length` exceeds the cap. The body is being skipped, not buffered.
    case bodyTooLarge(length: Int, limit: Int)
    /// The input ended inside a frame; the partial frame was dropped.
    case truncatedFrame(bufferedBytes: Int)

    public var description: String {
        switch self {
        case .headerWithoutColon(let line):
            return "header line \"\(line)\" has no ':'; expected 'Name: value'"
        case .missingContentLength:
            return "header section has no Content-Length header"
        case .invalidContentLength(let value):
            return "Content-Length \"\(value)\" is not a non-negative integer"
        case .headerSectionTooLong(let limit):
            return "header section is longer than \(limit) bytes without a blank line"
        case .unsupportedCharset(let contentType):
            return "Content-Type \"\(contentType)\" is not supported; only utf-8 is accepted; body skipped"
        case .bodyTooLarge(let length, let limit):
            return "Content-Length \(length) exceeds the limit of \(limit) bytes; body skipped"
        case .truncatedFrame(let bytes):
            return "input ended inside a frame after \(bytes) bytes"
        }
    }
}

/// One result of feeding bytes to a ``MessageFramer``.
public enum FramingEvent: Hashable, Sendable {
    /// A complete message body of exactly `Content-Length` bytes.
    case message(Data)
    /// A broken frame; see the error for how the framer recovered.
    case error(FramingError)
    /// After an error the framer threw bytes away and found the next plausible `Content-Length:`.
    case resynchronized(discardedBytes: Int)
    /// The first bytes (up to ``MessageFramer/skippedHeadLength``) of a body skipped after
    /// ``FramingError/bodyTooLarge(length:limit:)`` or ``FramingError/unsupportedCharset(contentType:)``,
    /// so the request's `id` can still be read and the request answered.
    case skippedBodyHead(Data)
}

/// Splits a byte stream into message bodies per the LSP base protocol
/// ("Header Part" / "Content Part" of the Language Server Protocol specification):
/// header lines `Name: value\r\n`, a blank line, then exactly `Content-Length` bytes.
///
/// Feed it arbitrary chunks with ``consume(_:)``; it never wedges on bad input. Header names are
/// case-insensitive, a bare `\n` is accepted as a line end, blank lines between frames are ignored,
/// `Content-Type` is optional and must name UTF-8 (`utf-8` or `utf8`) when it names a charset.
///
/// Recovery: a header section that cannot be used (a line without `:`, no or a bad
/// `Content-Length`, too long) is reported with ``FramingEvent/error(_:)``; the framer then scans
/// for the next case-insensitive `Content-Length:` — starting inside the rejected section, just
/// past its own `Content-Length` line if it had one — and reports
/// ``FramingEvent/resynchronized(discardedBytes:)`` when it finds one. When only the body is
/// unacceptable (too large, wrong charset) the length is known, so the body is skipped instead.
/// Headers that stand before `Content-Length` in the frame found by resynchronizing are not seen.
public struct MessageFramer: Sendable {
    private enum State: Sendable {
        /// Reading header lines.
        case header
        /// Collecting a body of `length` bytes.
        case body(length: Int)
        /// Throwing away a body nobody will read.
        case skipping(remaining: Int)
        /// Throwing bytes away until `Content-Length:` shows up.
        case resynchronizing(discarded: Int)
    }

    /// The header section being read; offsets index `pending`, which keeps the whole section.
    private struct HeaderSection: Sendable {
        /// Where the section's first line starts.
        var start = 0
        /// Where a resynchronizing scan resumes if the section is rejected.
        var resume = 0
        var lines = 0
        var contentLength: Int?
        var contentType: String?
    }

    /// The caps this framer enforces.
    public let limits: FramingLimits
    private var state: State = .header
    /// Bytes received and not yet thrown away (the current header section is kept whole).
    private var pending: [UInt8] = []
    /// How far `pending` has been examined.
    private var cursor = 0
    /// `pending` holds no line break before this offset (from `cursor`), so searches skip it.
    private var lineScan = 0
    /// The body collected so far in ``State/body(length:)``.
    private var body: [UInt8] = []
    private var section = HeaderSection()
    /// The head of the body being skipped, while it is still being collected.
    private var skippedHead: [UInt8]?
    private var skippedHeadTarget = 0

    /// How many bytes of a skipped body are kept to recover its request id.
    public static let skippedHeadLength = 512

    public init(limits: FramingLimits = FramingLimits()) {
        self.limits = limits
    }

    /// Whether the framer sits between frames (nothing partial buffered).
    public var isAtFrameBoundary: Bool {
        if case .header = state { return pending.isEmpty }
        return false
    }

    /// Consumes a chunk of input and returns the events it completed, in order.
    public mutating func consume(_ chunk: some Collection<UInt8>) -> [FramingEvent] {
        pending.append(contentsOf: chunk)
        var events: [FramingEvent] = []
        var index = cursor
        scan: while true {
            switch state {
            case .body(let length):
                if body.count == length {
                    events.append(.message(Data(body)))
                    body = []
                    state = .header
                    continue
                }
                guard index < pending.count else { break scan }
                let take = min(length - body.count, pending.count - index)
                body.append(contentsOf: pending[index..<(index + take)])
                index += take
            case .skipping(let remaining):
                if let head = skippedHead, head.count == skippedHeadTarget {
                    events.append(.skippedBodyHead(Data(head)))
                    skippedHead = nil
                }
                if remaining == 0 {
                    state = .header
                    continue
                }
                guard index < pending.count else { break scan }
                let take = min(remaining, pending.count - index)
                if var head = skippedHead {
                    head.append(contentsOf: pending[index..<(index + min(take, skippedHeadTarget - head.count))])
                    skippedHead = head
                }
                index += take
                state = .skipping(remaining: remaining - take)
            case .header:
                guard index < pending.count else { break scan }
                guard let newline = pending[max(index, lineScan)...].firstIndex(of: 0x0A) else {
                    lineScan = pending.count
                    if section.lines == 0 {
                        section.start = index
                        section.resume = index + 1
                    }
                    if pending.count - section.start > limits.maximumHeaderBytes {
                        events.append(.error(.headerSectionTooLong(limit: limits.maximumHeaderBytes)))
                        index = rejectSection()
                        continue
                    }
                    break scan
                }
                let lineEnd = newline > index && pending[newline - 1] == 0x0D ? newline - 1 : newline
                let line = String(decoding: pending[index..<lineEnd], as: UTF8.self)
                if line.isEmpty && section.lines == 0 {
                    index = newline + 1  // blank lines between frames are harmless
                    continue
                }
                if section.lines == 0 {
                    section.start = index
                    section.resume = index + 1
                }
                index = newline + 1
                guard let error = acceptHeaderLine(line, endingAt: index) else { continue }
                events.append(.error(error))
                switch error {
                case .unsupportedCharset, .bodyTooLarge:
                    section = HeaderSection()  // the length is known: the body is skipped
                default:
                    index = rejectSection()
                }
            case .resynchronizing(let discarded):
                if let match = Self.findContentLength(in: pending, from: index) {
                    events.append(.resynchronized(discardedBytes: discarded + match - index))
                    index = match
                    state = .header
                } else {
                    // Keep a tail that might be the start of a split "Content-Length:".
                    let keep = min(Self.contentLengthNeedle.count - 1, pending.count - index)
                    let drop = pending.count - index - keep
                    index += drop
                    state = .resynchronizing(discarded: discarded + drop)
                    break scan
                }
            }
        }
        // Drop what was consumed, but keep an unfinished header section whole.
        var keepFrom = index
        if case .header = state, section.lines > 0 {
            keepFrom = section.start
        }
        pending.removeFirst(keepFrom)
        cursor = index - keepFrom
        lineScan -= keepFrom
        section.start -= keepFrom
        section.resume -= keepFrom
        return events
    }

    /// Gives up on the current header section: switches to resynchronizing and returns the offset
    /// the scan resumes from.
    private mutating func rejectSection() -> Int {
        let resume = section.resume
        lineScan = 0  // the scan moves back into the section, past line breaks already seen
        state = .resynchronizing(discarded: resume - section.start)
        section = HeaderSection()
        return resume
    }

    /// Signals the end of input; reports a partial frame if one was buffered.
    public mutating func finish() -> [FramingEvent] {
        defer {
            state = .header
            pending = []
            cursor = 0
            lineScan = 0
            body = []
            section = HeaderSection()
        }
        switch state {
        case .header:
            let onlyBlankLines = pending.allSatisfy { $0 == 0x0D || $0 == 0x0A }
            return onlyBlankLines ? [] : [.error(.truncatedFrame(bufferedBytes: pending.count))]
        case .body:
            return [.error(.truncatedFrame(bufferedBytes: body.count))]
        case .skipping, .resynchronizing:
            return []
        }
    }

    /// Records one header line that ends (line break included) at `end`. Returns an error when the
    /// line (or, for the blank line, the whole section) is unacceptable; on the blank line, moves
    /// to the body (or skipping) state.
    private mutating func acceptHeaderLine(_ line: String, endingAt end: Int) -> FramingError? {
        if line.isEmpty {
            return endOfHeaderSection()
        }
        section.lines += 1
        if end - section.start > limits.maximumHeaderBytes {
            return .headerSectionTooLong(limit: limits.maximumHeaderBytes)
        }
        guard let colon = line.firstIndex(of: ":") else {
            return .headerWithoutColon(line: String(line.prefix(80)))
        }
        let name = line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
        let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        switch name {
        case "content-length":
            section.resume = end  // never resynchronize on this same header
            guard !value.isEmpty, value.allSatisfy({ $0.isASCII && $0.isNumber }), let length = Int(value) else {
                return .invalidContentLength(value: String(value.prefix(40)))
            }
            if let earlier = section.contentLength, earlier != length {
                return .invalidContentLength(value: "\(earlier) and \(length)")
            }
            section.contentLength = length
        case "content-type":
            section.contentType = value
        default:
            break  // unknown headers are ignored
        }
        return nil
    }

    /// Skips a body of `length` bytes, keeping its head for ``FramingEvent/skippedBodyHead(_:)``.
    private mutating func startSkipping(_ length: Int) {
        state = .skipping(remaining: length)
        skippedHead = []
        skippedHeadTarget = min(length, Self.skippedHeadLength)
    }

    private mutating func endOfHeaderSection() -> FramingError? {
        guard let length = section.contentLength else {
            return .missingContentLength
        }
        if let contentType = section.contentType, !Self.isUTF8(contentType: contentType) {
            startSkipping(length)
            return .unsupportedCharset(contentType: contentType)
        }
        if length > limits.maximumBodyBytes {
            startSkipping(length)
            return .bodyTooLarge(length: length, limit: limits.maximumBodyBytes)
        }
        section = HeaderSection()
        body.reserveCapacity(min(length, 1 << 20))
        state = .body(length: length)
        return nil
    }

    /// Whether a `Content-Type` value names UTF-8 or no charset at all.
    static func isUTF8(contentType: String) -> Bool {
        for parameter in contentType.split(separator: ";").dropFirst() {
            let parts = parameter.split(separator: "=", maxSplits: 1)
            guard parts.count == 2,
                parts[0].trimmingCharacters(in: .whitespaces).lowercased() == "charset"
            else { continue }
            let charset = parts[1].trimmingCharacters(in: .whitespaces)
                .trimmingCharacters(in: CharacterSet(charactersIn: "\"")).lowercased()
            return charset == "utf-8" || charset == "utf8"
        }
        return true
    }

    private static let contentLengthNeedle: [UInt8] = Array("content-length:".utf8)

    /// The offset of the next case-insensitive `Content-Length:` at or after `start`.
    private static func findContentLength(in bytes: [UInt8], from start: Int) -> Int? {
        let needle = contentLengthNeedle
        guard bytes.count - start >= needle.count else { return nil }
        var offset = start
        while offset + needle.count <= bytes.count {
            var matched = true
            for (index, expected) in needle.enumerated() {
                var byte = bytes[offset + index]
                if byte >= 0x41 && byte <= 0x5A { byte += 0x20 }
                if byte != expected {
                    matched = false
                    break
                }
            }
            if matched { return offset }
            offset += 1
        }
        return nil
    }
}

/// Writes frames of the LSP base protocol: `Content-Length: N\r\n\r\n` followed by the body.
public enum MessageFrameEncoder {
    /// The complete frame for `body`.
    public static func frame(_ body: Data) -> Data {
        var frame = Data(header(forBodyLength: body.count))
        frame.append(body)
        return frame
    }

    /// The header of a frame whose body is `length` bytes long.
    public static func header(forBodyLength length: Int) -> [UInt8] {
        Array("Content-Length: \(length)\r\n\r\n".utf8)
    }
}
