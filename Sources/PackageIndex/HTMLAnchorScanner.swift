import Foundation

/// A single-pass, linear-time scanner for the parts of an HTML document a simple repository page
/// uses (PEP 503): `<a>` elements with their attributes and text, the first `<base href>`, and the
/// `pypi:repository-version` meta tag (PEP 629).
///
/// It is not an HTML5 parser: it is tolerant of garbage (unclosed tags, stray `<`, unterminated
/// quotes and comments end at the end of input) and never backtracks, so any input costs O(n).
/// Tag and attribute names are case-insensitive; attribute values may be double-, single- or
/// unquoted; character references (named subset, decimal, hexadecimal) are decoded.
struct HTMLAnchorScanner {
    struct Anchor: Equatable {
        /// Attribute name (lowercased) → decoded value; a bare attribute has the value "".
        var attributes: [String: String]
        /// The decoded text up to the next tag.
        var text: String
    }

    struct Document: Equatable {
        var anchors: [Anchor] = []
        /// The page had more anchors than the scan was allowed to keep.
        var truncated = false
        var baseHref: String?
        var repositoryVersion: String?
    }

    private let bytes: [UInt8]
    private var position = 0

    private init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// The anchors of `bytes`, at most `maximumAnchors` of them (then ``Document/truncated``).
    static func scan(_ bytes: [UInt8], maximumAnchors: Int = .max) -> Document {
        var scanner = HTMLAnchorScanner(bytes)
        return scanner.run(maximumAnchors: maximumAnchors)
    }

    private mutating func run(maximumAnchors: Int) -> Document {
        var document = Document()
        while let open = nextIndex(of: UInt8(ascii: "<"), from: position) {
            position = open + 1
            if hasPrefix("!--") {
                position += 3
                position = indexAfter(sequence: Array("-->".utf8), from: position) ?? bytes.count
                continue
            }
            if position < bytes.count, bytes[position] == UInt8(ascii: "!") || bytes[position] == UInt8(ascii: "?") {
                position = (nextIndex(of: UInt8(ascii: ">"), from: position) ?? bytes.count - 1) + 1
                continue
            }
            let isClosing = position < bytes.count && bytes[position] == UInt8(ascii: "/")
            if isClosing { position += 1 }
            let name = readName()
            guard !name.isEmpty else { continue }
            let attributes = readAttributes()
            if isClosing { continue }
            switch name {
            case "a":
                guard document.anchors.count < maximumAnchors else {
                    document.truncated = true
                    return document
                }
                document.anchors.append(Anchor(attributes: attributes, text: readText()))
            case "base":
                if document.baseHref == nil, let href = attributes["href"] { document.baseHref = href }
            case "meta":
                if attributes["name"]?.lowercased() == "pypi:repository-version" {
                    document.repositoryVersion = attributes["content"]
                }
            case "script", "style":
                // Raw text: skip to the closing tag so `<a` inside scripts is not read as a link.
                let closing = Array("</\(name)".utf8)
                position = indexAfter(sequence: closing, from: position, caseInsensitive: true).map { $0 - closing.count } ?? bytes.count
            default:
                break
            }
        }
        return document
    }

    // MARK: Lexing

    private func hasPrefix(_ text: String) -> Bool {
        let needle = Array(text.utf8)
        guard position + needle.count <= bytes.count else { return false }
        return bytes[position..<position + needle.count].elementsEqual(needle)
    }

    private func nextIndex(of byte: UInt8, from start: Int) -> Int? {
        var index = start
        while index < bytes.count {
            if bytes[index] == byte { return index }
            index += 1
        }
        return nil
    }

    /// The index just after the first occurrence of `sequence` at or after `start`.
    private func indexAfter(sequence: [UInt8], from start: Int, caseInsensitive: Bool = false) -> Int? {
        guard let first = sequence.first else { return start }
        var index = start
        while index + sequence.count <= bytes.count {
            if bytes[index] == first {
                var matched = true
                for offset in 1..<sequence.count {
                    let byte = caseInsensitive ? Self.lowercase(bytes[index + offset]) : bytes[index + offset]
                    if byte != sequence[offset] {
                        matched = false
                        break
                    }
                }
                if matched { return index + sequence.count }
            }
            index += 1
        }
        return nil
    }

    private static func lowercase(_ byte: UInt8) -> UInt8 {
        byte >= 0x41 && byte <= 0x5A ? byte + 0x20 : byte
    }

    /// The attribute names simple repository pages use, so that reading one costs no allocation.
    private static let knownAttributeNames = [
        "href", "data-requires-python", "data-yanked", "data-core-metadata", "data-dist-info-metadata", "name", "content", "rel",
    ]

    /// `name` lowercased, as a String.
    private static func attributeName(_ name: ArraySlice<UInt8>) -> String {
        if let known = knownAttributeNames.first(where: { $0.utf8.elementsEqual(name) }) { return known }
        return String(decoding: name.map(lowercase), as: UTF8.self)
    }

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D || byte == 0x0C
    }

    /// A tag name: ASCII letters, digits, `-`, `:`; lowercased.
    private mutating func readName() -> String {
        var name: [UInt8] = []
        while position < bytes.count {
            let byte = bytes[position]
            let isLetter = (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
            let isOther = (byte >= 0x30 && byte <= 0x39) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ":")
            guard isLetter || (isOther && !name.isEmpty) else { break }
            name.append(Self.lowercase(byte))
            position += 1
        }
        return String(decoding: name, as: UTF8.self)
    }

    /// Attributes up to and including the tag's `>` (or the end of input).
    private mutating func readAttributes() -> [String: String] {
        var attributes: [String: String] = [:]
        while position < bytes.count {
            let byte = bytes[position]
            if Self.isSpace(byte) || byte == UInt8(ascii: "/") {
                position += 1
                continue
            }
            if byte == UInt8(ascii: ">") {
                position += 1
                return attributes
            }
            if byte == UInt8(ascii: "<") {
                // A stray `<` inside a tag: the tag was never closed; let the main loop resume here.
                return attributes
            }
            let nameStart = position
            while position < bytes.count {
                let current = bytes[position]
                if Self.isSpace(current) || current == UInt8(ascii: "=") || current == UInt8(ascii: ">")
                    || current == UInt8(ascii: "/") && position > nameStart || current == UInt8(ascii: "<") {
                    break
                }
                position += 1
            }
            let name = bytes[nameStart..<position]
            if name.isEmpty {
                position += 1
                continue
            }
            while position < bytes.count, Self.isSpace(bytes[position]) { position += 1 }
            var value = bytes[position..<position]
            if position < bytes.count, bytes[position] == UInt8(ascii: "=") {
                position += 1
                while position < bytes.count, Self.isSpace(bytes[position]) { position += 1 }
                if position < bytes.count, bytes[position] == UInt8(ascii: "\"") || bytes[position] == UInt8(ascii: "'") {
                    let quote = bytes[position]
                    position += 1
                    let end = nextIndex(of: quote, from: position) ?? bytes.count
                    value = bytes[position..<end]
                    position = min(end + 1, bytes.count)
                } else {
                    let start = position
                    while position < bytes.count, !Self.isSpace(bytes[position]), bytes[position] != UInt8(ascii: ">") {
                        position += 1
                    }
                    value = bytes[start..<position]
                }
            }
            let key = Self.attributeName(name)
            if attributes[key] == nil {
                attributes[key] = Self.decodeCharacterReferences(value)
            }
        }
        return attributes
    }

    /// Text up to the next `<`.
    private mutating func readText() -> String {
        let end = nextIndex(of: UInt8(ascii: "<"), from: position) ?? bytes.count
        let text = Self.decodeCharacterReferences(bytes[position..<end])
        position = end
        return text
    }

    // MARK: Character references

    private static let namedReferences: [String: String] = [
        "amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "nbsp": "\u{00A0}",
        "equals": "=", "excl": "!", "num": "#", "percnt": "%", "comma": ",", "period": ".",
        "colon": ":", "semi": ";", "lpar": "(", "rpar": ")", "ast": "*", "plus": "+", "sol": "/",
        "tilde": "~", "Hat": "^", "lowbar": "_", "verbar": "|", "lsqb": "[", "rsqb": "]",
    ]

    /// Decodes `&name;`, `&#NNN;` and `&#xHH;` (and `&amp` without `;` for the common ones).
    static func decodeCharacterReferences(_ bytes: ArraySlice<UInt8>) -> String {
        guard bytes.contains(UInt8(ascii: "&")) else { return String(decoding: bytes, as: UTF8.self) }
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let byte = bytes[index]
            guard byte == UInt8(ascii: "&") else {
                output.append(byte)
                index += 1
                continue
            }
            // Look at most 32 bytes ahead for the reference's end, keeping the scan linear.
            var end = index + 1
            while end < bytes.endIndex, end - index <= 32,
                  (bytes[end] >= 0x30 && bytes[end] <= 0x39) || (bytes[end] | 0x20 >= 0x61 && bytes[end] | 0x20 <= 0x7A) || bytes[end] == UInt8(ascii: "#") {
                end += 1
            }
            let body = String(decoding: bytes[(index + 1)..<end], as: UTF8.self)
            let terminated = end < bytes.endIndex && bytes[end] == UInt8(ascii: ";")
            var replacement: String?
            if body.hasPrefix("#x") || body.hasPrefix("#X") {
                replacement = UInt32(body.dropFirst(2), radix: 16).flatMap(Unicode.Scalar.init).map { String(Character($0)) }
            } else if body.hasPrefix("#") {
                replacement = UInt32(body.dropFirst(), radix: 10).flatMap(Unicode.Scalar.init).map { String(Character($0)) }
            } else if let named = namedReferences[body], terminated || ["amp", "lt", "gt", "quot"].contains(body) {
                replacement = named
            }
            if let replacement {
                output.append(contentsOf: Array(replacement.utf8))
                index = terminated ? end + 1 : end
            } else {
                output.append(byte)
                index += 1
            }
        }
        return String(decoding: output, as: UTF8.self)
    }
}
