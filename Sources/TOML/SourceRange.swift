/// A place in a source text, in the three units editors and tools need: a zero-based line, a
/// zero-based column counted in UTF-16 code units (what the Language Server Protocol's `Position`
/// uses by default), and the zero-based UTF-8 byte offset from the start of the text.
public struct SourcePosition: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Zero-based line number (lines end at `\n`; `\r\n` counts as one line break).
    public var line: Int
    /// Zero-based column in UTF-16 code units from the start of the line.
    public var utf16Column: Int
    /// Zero-based offset in UTF-8 bytes from the start of the text.
    public var byteOffset: Int

    public init(line: Int, utf16Column: Int, byteOffset: Int) {
        self.line = line
        self.utf16Column = utf16Column
        self.byteOffset = byteOffset
    }

    public static func < (lhs: SourcePosition, rhs: SourcePosition) -> Bool { lhs.byteOffset < rhs.byteOffset }

    /// `line:column`, both one-based, as compilers print them.
    public var description: String { "\(line + 1):\(utf16Column + 1)" }
}

/// A half-open span `[start, end)` of a source text.
public struct SourceRange: Sendable, Hashable, CustomStringConvertible {
    public var start: SourcePosition
    public var end: SourcePosition

    public init(start: SourcePosition, end: SourcePosition) {
        self.start = start
        self.end = end
    }

    /// Whether `position` lies inside the range (the end included, as a cursor right after a
    /// token still "touches" it).
    public func contains(line: Int, utf16Column: Int) -> Bool {
        let afterStart = line > start.line || (line == start.line && utf16Column >= start.utf16Column)
        let beforeEnd = line < end.line || (line == end.line && utf16Column <= end.utf16Column)
        return afterStart && beforeEnd
    }

    public var description: String { "\(start)-\(end)" }
}

/// Converts UTF-8 byte offsets of one text into ``SourcePosition``s (line starts are indexed once).
public struct SourceLocator: Sendable {
    private let bytes: [UInt8]
    private let lineStarts: [Int]

    public init(_ text: String) {
        self.init(bytes: Array(text.utf8))
    }

    public init(bytes: [UInt8]) {
        self.bytes = bytes
        var starts = [0]
        for (index, byte) in bytes.enumerated() where byte == UInt8(ascii: "\n") {
            starts.append(index + 1)
        }
        self.lineStarts = starts
    }

    /// The position of byte `offset` (clamped to the text).
    public func position(at offset: Int) -> SourcePosition {
        let offset = max(0, min(offset, bytes.count))
        var low = 0
        var high = lineStarts.count - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if lineStarts[middle] <= offset { low = middle } else { high = middle - 1 }
        }
        let lineStart = lineStarts[low]
        var column = 0
        var index = lineStart
        while index < offset {
            let byte = bytes[index]
            if byte & 0xC0 != 0x80 { column += byte >= 0xF0 ? 2 : 1 }
            index += 1
        }
        return SourcePosition(line: low, utf16Column: column, byteOffset: offset)
    }

    /// The range of bytes `start..<end`.
    public func range(_ start: Int, _ end: Int) -> SourceRange {
        SourceRange(start: position(at: start), end: position(at: end))
    }

    /// The byte offset of a line and UTF-16 column (clamped to the line's end), the inverse of
    /// ``position(at:)``.
    public func byteOffset(line: Int, utf16Column: Int) -> Int {
        guard line < lineStarts.count else { return bytes.count }
        guard line >= 0 else { return 0 }
        var index = lineStarts[line]
        var column = 0
        while index < bytes.count, bytes[index] != UInt8(ascii: "\n"), column < utf16Column {
            let byte = bytes[index]
            if byte & 0xC0 != 0x80 { column += byte >= 0xF0 ? 2 : 1 }
            index += 1
            while index < bytes.count, bytes[index] & 0xC0 == 0x80 { index += 1 }
        }
        return index
    }

    /// How many lines the text has.
    public var lineCount: Int { lineStarts.count }
}
