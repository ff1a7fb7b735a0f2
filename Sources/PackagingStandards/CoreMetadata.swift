// Core metadata (METADATA / PKG-INFO), versions 1.0–2.4:
// https://packaging.python.org/en/latest/specifications/core-metadata/
// Format: RFC 822-style headers (as read by Python's `email` package, compat32 policy),
// then an optional body holding the description (Metadata 2.1+).

/// The contents of a `METADATA` file, kept losslessly: the raw text, every header in order,
/// and typed accessors for the fields the packaging specifications define.
///
/// Parsing is tolerant: CRLF or LF line endings, continuation lines (joined with `\n`, their
/// leading whitespace kept, as `email`'s compat32 policy does), repeated fields, a missing
/// header/body separator, and invalid UTF-8 (decoded with U+FFFD replacements; see
/// ``decodingWasLossy``). Header names match case-insensitively.
public struct CoreMetadata: Sendable, Hashable {
    /// One header as it appeared: name as written, value unfolded.
    public struct Field: Sendable, Hashable {
        public let name: String
        public let value: String
        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    /// A `Project-URL` entry (`label, url`).
    public struct ProjectURL: Sendable, Hashable, Codable {
        public let label: String
        public let url: String
    }

    /// The text as decoded (line endings and a leading byte order mark untouched).
    public var raw: String {
        (startsWithByteOrderMark ? "\u{FEFF}" : "") + (tail.isEmpty ? head : head + Self.decode(tail).text)
    }
    /// Whether the file began with a UTF-8 byte order mark: not part of any field, but kept in
    /// ``raw``, which gives the file byte for byte.
    public let startsWithByteOrderMark: Bool
    /// The headers in file order.
    public let fields: [Field]
    /// The message body after the first blank line (nil when there is none).
    public var body: String? {
        bodyStart.map { tail.isEmpty ? String(head[$0...]) : String(head[$0...]) + Self.decode(tail).text }
    }
    /// True when the bytes were not valid UTF-8 and were decoded with replacement characters.
    public var decodingWasLossy: Bool { headWasLossy || (!tail.isEmpty && Self.decode(tail).lossy) }
    /// The text up to the end of the headers' blank line, decoded (all of it for text given as
    /// text, or without a blank line).
    private let head: String
    private let headWasLossy: Bool
    /// The bytes after ``head``: the body, decoded only when asked for. A resolution reads the
    /// headers of hundreds of METADATA files, whose long descriptions are most of their bytes.
    private let tail: [UInt8]
    /// Where ``body`` starts in ``head``: the body is only copied out when asked for.
    private let bodyStart: String.Index?

    /// Parses METADATA bytes.
    public init(bytes: some Collection<UInt8>) {
        let split = bytes.withContiguousStorageIfAvailable(Self.split) ?? Array(bytes).withUnsafeBufferPointer(Self.split)
        self.init(head: split.head, lossy: split.lossy, tail: split.tail, byteOrderMark: bytes.starts(with: [0xEF, 0xBB, 0xBF]))
    }

    /// Parses METADATA text.
    public init(text: String) {
        self.init(text: text, decodingWasLossy: false)
    }

    init(text: String, decodingWasLossy: Bool) {
        self.init(head: text, lossy: decodingWasLossy, tail: [], byteOrderMark: false)
    }

    private init(head: String, lossy: Bool, tail: [UInt8], byteOrderMark: Bool) {
        startsWithByteOrderMark = byteOrderMark
        self.head = head
        headWasLossy = lossy
        self.tail = tail
        let (fields, bodyOffset) = Self.parse(head)
        self.fields = fields
        bodyStart = bodyOffset.map { head.utf8.index(head.utf8.startIndex, offsetBy: $0) }
    }

    /// `bytes` without a leading byte order mark, cut after the first blank line: the text
    /// before the cut decoded, the bytes after it kept. The cut follows a `\n`, so decoding the
    /// two parts apart gives the text decoding the whole would (no UTF-8 sequence spans it),
    /// and ``parse(_:)`` ends the headers at or before it.
    private static func split(_ bytes: UnsafeBufferPointer<UInt8>) -> (head: String, lossy: Bool, tail: [UInt8]) {
        var start = 0
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) {
            // The mark is dropped as a character of the decoded text: when a non-ASCII scalar
            // follows, it may be part of a larger character, so that case decodes everything.
            guard bytes.count == 3 || bytes[3] < 0x80 else {
                var (text, lossy) = decode(bytes)
                if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
                return (text, lossy, [])
            }
            start = 3
        }
        var cut = bytes.count
        var lineStart = start
        while lineStart < bytes.count {
            let rest = UnsafeBufferPointer(rebasing: bytes[lineStart...])
            let newline = rest.firstIndex(of: UInt8(ascii: "\n")).map { lineStart + $0 } ?? bytes.count
            if newline == lineStart || (newline == lineStart + 1 && bytes[lineStart] == UInt8(ascii: "\r")) {
                cut = min(newline + 1, bytes.count)
                break
            }
            lineStart = newline + 1
        }
        let (head, lossy) = decode(UnsafeBufferPointer(rebasing: bytes[start..<cut]))
        return (head, lossy, Array(bytes[cut...]))
    }

    /// `bytes` as UTF-8, with U+FFFD for invalid sequences (then `lossy`).
    private static func decode(_ bytes: UnsafeBufferPointer<UInt8>) -> (text: String, lossy: Bool) {
        if let valid = String(validating: bytes, as: UTF8.self) { return (valid, false) }
        return (String(decoding: bytes, as: UTF8.self), true)
    }

    private static func decode(_ bytes: [UInt8]) -> (text: String, lossy: Bool) {
        bytes.withUnsafeBufferPointer { decode($0) }
    }

    /// Fields and body are parsed from ``raw`` alone, so the text and the lossy flag decide equality.
    public static func == (a: CoreMetadata, b: CoreMetadata) -> Bool {
        a.raw == b.raw && a.decodingWasLossy == b.decodingWasLossy
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(raw)
        hasher.combine(decodingWasLossy)
    }

    /// Splits `text` into headers and the UTF-8 offset of the body like `email`'s compat32 parser: a blank line ends the
    /// headers, a line starting with a space or tab continues the previous header, and the first
    /// line that is neither a header nor a continuation starts the body.
    ///
    /// Works on the UTF-8 bytes. The rules speak of characters, and a space or `:` followed by a
    /// combining mark is a different `Character`; so where the byte after the space or `:` in
    /// question is not ASCII, the decision is taken on `Character`s of the line instead.
    private static func parse(_ text: String) -> (fields: [Field], bodyOffset: Int?) {
        var contiguous = text
        return contiguous.withUTF8 { bytes -> ([Field], Int?) in
            func characters(_ range: Range<Int>) -> Substring {
                let utf8 = text.utf8
                return text[utf8.index(utf8.startIndex, offsetBy: range.lowerBound)..<utf8.index(utf8.startIndex, offsetBy: range.upperBound)]
            }
            // A copy of valid UTF-8 between scalar boundaries (all cuts are at ASCII bytes).
            func string(_ range: Range<Int>) -> String { String(characters(range)) }
            var fields: [Field] = []
            var current: (name: String, value: String)?
            func flush() {
                guard let c = current else { return }
                fields.append(Field(name: c.name, value: c.value))
                current = nil
            }
            var lineStart = 0
            while lineStart < bytes.count {
                var lineEnd = lineStart
                while lineEnd < bytes.count, bytes[lineEnd] != UInt8(ascii: "\n") { lineEnd += 1 }
                let next = min(lineEnd + 1, bytes.count)
                let end = lineEnd > lineStart && bytes[lineEnd - 1] == UInt8(ascii: "\r") ? lineEnd - 1 : lineEnd
                if end == lineStart {
                    flush()
                    return (fields, next)
                }
                // Bytes before `asciiEnd` are ASCII, each its own character unless a non-ASCII
                // scalar right after extends it.
                var asciiEnd = lineStart
                while asciiEnd < end, bytes[asciiEnd] < 0x80 { asciiEnd += 1 }
                func isAlone(_ index: Int) -> Bool { index + 1 < asciiEnd || index + 1 == end }

                let first = bytes[lineStart]
                if current != nil, first == UInt8(ascii: "\t")
                    || first == UInt8(ascii: " ") && (isAlone(lineStart) || characters(lineStart..<end).first == " ") {
                    current!.value += "\n" + string(lineStart..<end)
                } else if let colon = headerColon(bytes, lineStart..<end, asciiEnd: asciiEnd),
                          isAlone(colon) || characters(colon..<end).first == ":" {
                    flush()
                    var valueStart = colon + 1
                    while valueStart < end, bytes[valueStart] == UInt8(ascii: " ") || bytes[valueStart] == UInt8(ascii: "\t") {
                        valueStart += 1
                    }
                    let value = valueStart < asciiEnd || valueStart == end
                        ? string(valueStart..<end)
                        : String(characters(colon + 1..<end).drop { $0 == " " || $0 == "\t" })
                    current = (string(lineStart..<colon), value)
                } else {
                    // Not a header: like `email`, treat the rest as the body.
                    flush()
                    return (fields, lineStart)
                }
                lineStart = next
            }
            flush()
            return (fields, nil)
        }
    }

    /// The position of the first `:` of `line` when the text before it is a header name and
    /// ASCII (a `:` after a non-ASCII byte ends a name that is not a header name anyway).
    private static func headerColon(_ bytes: UnsafeBufferPointer<UInt8>, _ line: Range<Int>, asciiEnd: Int) -> Int? {
        var colon = line.lowerBound
        while colon < asciiEnd, bytes[colon] != UInt8(ascii: ":") { colon += 1 }
        guard colon < asciiEnd, isHeaderName(UnsafeBufferPointer(rebasing: bytes[line.lowerBound..<colon])) else { return nil }
        return colon
    }

    /// RFC 5322 field name: printable ASCII except `:` and space.
    static func isHeaderName(_ name: some Collection<UInt8>) -> Bool {
        !name.isEmpty && name.allSatisfy { $0 > 32 && $0 < 127 && $0 != UInt8(ascii: ":") }
    }

    // MARK: Generic access

    /// Every value of header `name` (case-insensitive), in order.
    public func values(_ name: String) -> [String] {
        let matches = Self.nameMatcher(name)
        return fields.filter { matches($0.name) }.map(\.value)
    }

    /// The first value of header `name` (case-insensitive).
    public func value(_ name: String) -> String? {
        let matches = Self.nameMatcher(name)
        return fields.first { matches($0.name) }?.value
    }

    /// Whether a field name equals `name` after lowercasing both. Field names are printable ASCII
    /// (``isHeaderName(_:)``), so for an ASCII `name` that is a byte comparison without building
    /// lowercased copies.
    private static func nameMatcher(_ name: String) -> (String) -> Bool {
        let key = name.lowercased()
        guard key.utf8.allSatisfy({ $0 < 0x80 }) else { return { $0.lowercased() == key } }
        return { fieldName in
            fieldName.utf8.count == key.utf8.count
                && zip(fieldName.utf8, key.utf8).allSatisfy { PythonText.lowercased($0) == $1 }
        }
    }

    // MARK: Typed accessors

    public var metadataVersion: String? { value("Metadata-Version") }
    public var name: String? { value("Name") }
    /// The version as written.
    public var version: String? { value("Version") }
    /// The version parsed as PEP 440 (nil when absent or invalid).
    public var parsedVersion: Version? { version.flatMap { try? Version($0) } }
    public var summary: String? { value("Summary") }
    /// The body (Metadata 2.1+) when non-empty, else the `Description` header.
    public var description: String? {
        if let body, !body.isEmpty { return body }
        return value("Description")
    }
    public var descriptionContentType: String? { value("Description-Content-Type") }
    public var keywords: String? { value("Keywords") }
    /// `Keywords` split on commas (or whitespace when there is no comma), trimmed.
    public var keywordList: [String] {
        guard let keywords else { return [] }
        let pieces = keywords.contains(",") ? keywords.split(separator: ",") : keywords.split(whereSeparator: { $0 == " " })
        return pieces.map { String(PythonText.strip($0)) }.filter { !$0.isEmpty }
    }
    public var homePage: String? { value("Home-page") }
    public var downloadURL: String? { value("Download-URL") }
    public var author: String? { value("Author") }
    public var authorEmail: String? { value("Author-email") }
    public var maintainer: String? { value("Maintainer") }
    public var maintainerEmail: String? { value("Maintainer-email") }
    public var license: String? { value("License") }
    /// SPDX expression (Metadata 2.4, PEP 639).
    public var licenseExpression: String? { value("License-Expression") }
    public var licenseFiles: [String] { values("License-File") }
    public var classifiers: [String] { values("Classifier") }
    public var platforms: [String] { values("Platform") }
    public var supportedPlatforms: [String] { values("Supported-Platform") }
    /// `Requires-Dist` entries exactly as written.
    public var requiresDist: [String] { values("Requires-Dist") }
    public var requiresPython: String? { value("Requires-Python") }
    public var requiresExternal: [String] { values("Requires-External") }
    public var providesExtra: [String] { values("Provides-Extra") }
    public var providesDist: [String] { values("Provides-Dist") }
    public var obsoletesDist: [String] { values("Obsoletes-Dist") }
    /// Fields declared dynamic (Metadata 2.2, PEP 643).
    public var dynamic: [String] { values("Dynamic") }
    /// `Project-URL: label, url` entries in order (an entry without a comma has an empty label).
    public var projectURLs: [ProjectURL] {
        values("Project-URL").map { entry in
            guard let comma = entry.firstIndex(of: ",") else { return ProjectURL(label: "", url: String(PythonText.strip(entry))) }
            return ProjectURL(
                label: String(PythonText.strip(entry[..<comma])),
                url: String(PythonText.strip(entry[entry.index(after: comma)...])))
        }
    }

    /// `Requires-Dist` parsed as PEP 508 requirements; entries that fail to parse are returned
    /// as errors alongside their text rather than dropped.
    public var requirements: [(text: String, requirement: Result<Requirement, RequirementError>)] {
        requiresDist.map { text in
            do throws(RequirementError) {
                return (text, .success(try Requirement(text)))
            } catch {
                return (text, .failure(error))
            }
        }
    }

    /// `Requires-Python` parsed (nil when absent; throws when invalid).
    public func requiresPythonSpecifier() throws(SpecifierError) -> SpecifierSet? {
        guard let requiresPython else { return nil }
        return try SpecifierSet(requiresPython)
    }
}

/// The JSON form of ``CoreMetadata``.
///
/// Keys: `metadataVersion`, `name`, `version`, `summary`, `description`,
/// `descriptionContentType`, `keywords`, `homePage`, `author`, `authorEmail`, `maintainer`,
/// `maintainerEmail`, `license`, `licenseExpression`, `licenseFiles`, `requiresPython`,
/// `requiresDist` (strings as written), `providesExtra`, `classifiers`, `dynamic`,
/// `projectUrls` — an **array** of `{"label", "url"}` objects, so order and duplicate labels
/// survive — `fields` (every header as `[name, value]`, in order), `raw` (the full text) and
/// `decodingWasLossy`. Absent single-valued fields are `null`. Decoding re-parses `raw`.
extension CoreMetadata: Codable {
    enum CodingKeys: String, CodingKey {
        case metadataVersion, name, version, summary, description, descriptionContentType, keywords
        case homePage, author, authorEmail, maintainer, maintainerEmail, license, licenseExpression
        case licenseFiles, requiresPython, requiresDist, providesExtra, classifiers, dynamic
        case projectUrls, fields, raw, decodingWasLossy
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let raw = try container.decode(String.self, forKey: .raw)
        let lossy = try container.decodeIfPresent(Bool.self, forKey: .decodingWasLossy) ?? false
        // `raw` keeps the file's byte order mark, which is not part of its first header.
        var text = raw
        let mark = text.unicodeScalars.first == "\u{FEFF}"
        if mark { text.unicodeScalars.removeFirst() }
        self.init(head: text, lossy: lossy, tail: [], byteOrderMark: mark)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(metadataVersion, forKey: .metadataVersion)
        try c.encode(name, forKey: .name)
        try c.encode(version, forKey: .version)
        try c.encode(summary, forKey: .summary)
        try c.encode(description, forKey: .description)
        try c.encode(descriptionContentType, forKey: .descriptionContentType)
        try c.encode(keywords, forKey: .keywords)
        try c.encode(homePage, forKey: .homePage)
        try c.encode(author, forKey: .author)
        try c.encode(authorEmail, forKey: .authorEmail)
        try c.encode(maintainer, forKey: .maintainer)
        try c.encode(maintainerEmail, forKey: .maintainerEmail)
        try c.encode(license, forKey: .license)
        try c.encode(licenseExpression, forKey: .licenseExpression)
        try c.encode(licenseFiles, forKey: .licenseFiles)
        try c.encode(requiresPython, forKey: .requiresPython)
        try c.encode(requiresDist, forKey: .requiresDist)
        try c.encode(providesExtra, forKey: .providesExtra)
        try c.encode(classifiers, forKey: .classifiers)
        try c.encode(dynamic, forKey: .dynamic)
        try c.encode(projectURLs, forKey: .projectUrls)
        try c.encode(fields.map { [$0.name, $0.value] }, forKey: .fields)
        try c.encode(raw, forKey: .raw)
        try c.encode(decodingWasLossy, forKey: .decodingWasLossy)
    }
}
