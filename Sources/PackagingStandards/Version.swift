// PEP 440 versions: https://peps.python.org/pep-0440/
// (now the "Version specifiers" specification of the Python Packaging User Guide).

/// Why a string is not a PEP 440 version.
public enum VersionError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The text does not follow the PEP 440 grammar (after the permitted normalizations).
    case invalid(String)
    /// A numeric component does not fit in 64 bits. Python's `packaging` accepts arbitrarily
    /// large integers; this implementation rejects them instead of silently wrapping.
    case numberTooLarge(String)

    public var description: String {
        switch self {
        case .invalid(let text):
            return "Invalid version: '\(text)' (expected a PEP 440 version such as 1.2.3, 2.0rc1, 1.0.post2 or 1!1.0+local)"
        case .numberTooLarge(let text):
            return "Invalid version: '\(text)' has a numeric component larger than 2^63-1"
        }
    }
}

/// A PEP 440 version: `[N!]N(.N)*[{a|b|rc}N][.postN][.devN][+local]`.
///
/// Parsing accepts every spelling PEP 440 normalizes (case, `v` prefix, `-`/`_`/`.` separators,
/// `alpha`/`beta`/`c`/`pre`/`preview`, `rev`/`r`, implicit post `1.0-1`, implicit numbers,
/// surrounding whitespace) exactly as `packaging.version.Version` does; ``description`` is the
/// normalized form. Ordering and equality follow PEP 440 (trailing zeros ignored: `1.0 == 1.0.0`;
/// `1.0.dev0 < 1.0a0 < 1.0 < 1.0+local < 1.0.post0`). A comparison key is computed once at
/// construction so comparisons in a resolver's inner loops are cheap.
public struct Version: Sendable, Hashable, Comparable, CustomStringConvertible, Codable {
    /// The pre-release phase, in PEP 440 order.
    public enum PreReleaseKind: String, Sendable, Hashable, Comparable, Codable {
        case alpha = "a", beta = "b", releaseCandidate = "rc"
        var rank: Int {
            switch self {
            case .alpha: return 0
            case .beta: return 1
            case .releaseCandidate: return 2
            }
        }
        public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rank < rhs.rank }
    }

    /// One dot-separated part of a local version label (`+ubuntu.1` has `ubuntu` and `1`).
    public enum LocalSegment: Sendable, Hashable, Comparable, CustomStringConvertible {
        case number(Int)
        case text(String)
        /// PEP 440: alphanumeric segments sort before numeric ones; numbers compare numerically.
        public static func < (lhs: Self, rhs: Self) -> Bool {
            switch (lhs, rhs) {
            case (.number(let a), .number(let b)): return a < b
            case (.text(let a), .text(let b)): return Array(a.utf8).lexicographicallyPrecedes(Array(b.utf8))
            case (.text, .number): return true
            case (.number, .text): return false
            }
        }
        public var description: String {
            switch self {
            case .number(let n): return String(n)
            case .text(let s): return s
            }
        }
    }

    /// The parts and the comparison key, shared by every copy: a version is copied, hashed and
    /// compared all through a resolution, and one reference costs a single retain where the
    /// parts as fields cost one per array.
    private final class Storage: Sendable {
        let epoch: Int
        let release: [Int]
        let pre: (kind: PreReleaseKind, number: Int)?
        let post: Int?
        let dev: Int?
        let localSegments: [LocalSegment]?
        let key: ComparisonKey

        init(epoch: Int, release: [Int], pre: (kind: PreReleaseKind, number: Int)?, post: Int?, dev: Int?,
             localSegments: [LocalSegment]?) {
            self.epoch = epoch
            self.release = release
            self.pre = pre
            self.post = post
            self.dev = dev
            self.localSegments = localSegments
            key = ComparisonKey(epoch: epoch, release: release, pre: pre, post: post, dev: dev, local: localSegments)
        }
    }

    private let storage: Storage

    public var epoch: Int { storage.epoch }
    /// The release segment as written (trailing zeros kept: `1.0.0` → `[1, 0, 0]`).
    public var release: [Int] { storage.release }
    public var pre: (kind: PreReleaseKind, number: Int)? { storage.pre }
    public var post: Int? { storage.post }
    public var dev: Int? { storage.dev }
    public var localSegments: [LocalSegment]? { storage.localSegments }
    var key: ComparisonKey { storage.key }

    /// Parses and normalizes `text`; throws ``VersionError`` naming the offending text.
    public init(_ text: String) throws(VersionError) {
        self = try VersionParser.parse(text)
    }

    /// Parses `text`, or nil when it is not a PEP 440 version.
    public static func parse(_ text: String) -> Version? { try? Version(text) }

    /// Builds a version from parts. `local` must be a valid local label (e.g. `"ubuntu.1"`).
    public init(
        epoch: Int = 0,
        release: [Int],
        pre: (kind: PreReleaseKind, number: Int)? = nil,
        post: Int? = nil,
        dev: Int? = nil,
        local: [LocalSegment]? = nil
    ) {
        precondition(!release.isEmpty, "a version needs at least one release component")
        storage = Storage(epoch: epoch, release: release, pre: pre, post: post, dev: dev,
                          localSegments: (local?.isEmpty ?? true) ? nil : local)
    }

    // MARK: Derived forms

    /// The normalized PEP 440 string.
    public var description: String {
        var out = ""
        if epoch != 0 { out += "\(epoch)!" }
        out += Self.dotted(release)
        if let pre { out += "\(pre.kind.rawValue)\(pre.number)" }
        if let post { out += ".post\(post)" }
        if let dev { out += ".dev\(dev)" }
        if let local { out += "+\(local)" }
        return out
    }

    /// `1.2.3` for `[1, 2, 3]`: a plain loop, as `map(String.init).joined(separator:)` goes
    /// through the standard library's unspecialized generic code.
    private static func dotted(_ numbers: [Int]) -> String {
        var text = ""
        for number in numbers {
            if !text.isEmpty { text += "." }
            text += String(number)
        }
        return text
    }

    /// The local label normalized (`"ubuntu.1"`), or nil.
    public var local: String? { localSegments.map { $0.map(\.description).joined(separator: ".") } }

    /// The version without its local label, as a string (`packaging`'s `public`).
    public var `public`: String {
        let text = description
        if let plus = text.firstIndex(of: "+") { return String(text[..<plus]) }
        return text
    }

    /// The version without its local label.
    public var publicVersion: Version { Version(epoch: epoch, release: release, pre: pre, post: post, dev: dev) }

    /// Epoch and release only, as a string (`packaging`'s `base_version`): `1!2.0rc1` → `1!2.0`.
    public var baseVersion: String {
        let rel = Self.dotted(release)
        return epoch != 0 ? "\(epoch)!\(rel)" : rel
    }

    /// A pre-release or a development release (PEP 440 treats both as pre-releases).
    public var isPrerelease: Bool { pre != nil || dev != nil }
    public var isPostRelease: Bool { post != nil }
    public var isDevRelease: Bool { dev != nil }
    public var major: Int { release.first ?? 0 }
    public var minor: Int { release.count >= 2 ? release[1] : 0 }
    public var micro: Int { release.count >= 3 ? release[2] : 0 }

    /// A copy with some parts replaced (pass `.some(nil)` to clear an optional part).
    public func replacing(
        epoch: Int? = nil,
        release: [Int]? = nil,
        pre: (kind: PreReleaseKind, number: Int)?? = .none,
        post: Int?? = .none,
        dev: Int?? = .none,
        local: [LocalSegment]?? = .none
    ) -> Version {
        Version(
            epoch: epoch ?? self.epoch,
            release: release ?? self.release,
            pre: pre ?? self.pre,
            post: post ?? self.post,
            dev: dev ?? self.dev,
            local: local ?? self.localSegments
        )
    }

    // MARK: Equality and order (PEP 440)

    public static func == (lhs: Version, rhs: Version) -> Bool {
        lhs.storage === rhs.storage || lhs.storage.key == rhs.storage.key
    }
    public static func < (lhs: Version, rhs: Version) -> Bool { lhs.storage !== rhs.storage && lhs.storage.key < rhs.storage.key }
    public func hash(into hasher: inout Hasher) { hasher.combine(storage.key) }

    /// Equal ignoring local labels on both sides.
    func publicKeyEquals(_ other: Version) -> Bool {
        key.epoch == other.key.epoch && key.release == other.key.release && key.suffix == other.key.suffix
    }

    // MARK: Codable (as the normalized string)

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        self = try Version(text)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// The precomputed PEP 440 sort key (same shape as `packaging`'s `_cmpkey`):
/// epoch, release without trailing zeros, a six-integer suffix
/// `(preRank, preNumber, postRank, postNumber, devRank, devNumber)`, then the local label
/// (absent sorts first).
struct ComparisonKey: Hashable, Comparable, Sendable {
    let epoch: Int
    let release: [Int]
    var suffix: Suffix
    let local: [Version.LocalSegment]?

    struct Suffix: Hashable, Comparable, Sendable {
        var preRank: Int, preNumber: Int, postRank: Int, postNumber: Int, devRank: Int, devNumber: Int
        static func < (a: Suffix, b: Suffix) -> Bool {
            if a.preRank != b.preRank { return a.preRank < b.preRank }
            if a.preNumber != b.preNumber { return a.preNumber < b.preNumber }
            if a.postRank != b.postRank { return a.postRank < b.postRank }
            if a.postNumber != b.postNumber { return a.postNumber < b.postNumber }
            if a.devRank != b.devRank { return a.devRank < b.devRank }
            return a.devNumber < b.devNumber
        }
    }

    init(epoch: Int, release: [Int], pre: (kind: Version.PreReleaseKind, number: Int)?, post: Int?, dev: Int?, local: [Version.LocalSegment]?) {
        self.epoch = epoch
        var end = release.count
        while end > 0 && release[end - 1] == 0 { end -= 1 }
        self.release = end == release.count ? release : Array(release[..<end])
        let preRank: Int, preNumber: Int
        if let pre {
            preRank = pre.kind.rank; preNumber = pre.number
        } else if post == nil && dev != nil {
            preRank = -1; preNumber = 0  // dev-only sorts before any pre-release
        } else {
            preRank = 3; preNumber = 0
        }
        suffix = Suffix(
            preRank: preRank, preNumber: preNumber,
            postRank: post == nil ? 0 : 1, postNumber: post ?? 0,
            devRank: dev == nil ? 1 : 0, devNumber: dev ?? 0
        )
        self.local = local
    }

    static func < (a: ComparisonKey, b: ComparisonKey) -> Bool {
        if a.epoch != b.epoch { return a.epoch < b.epoch }
        // One pass over the release segments (a resolver sorts every version a page lists).
        let (x, y) = (a.release, b.release)
        for i in 0..<min(x.count, y.count) where x[i] != y[i] { return x[i] < y[i] }
        if x.count != y.count { return x.count < y.count }
        if a.suffix != b.suffix { return a.suffix < b.suffix }
        switch (a.local, b.local) {
        case (nil, nil): return false
        case (nil, _): return true
        case (_, nil): return false
        case (let l?, let r?): return l.lexicographicallyPrecedes(r)
        }
    }
}

/// A deterministic scanner equivalent to `packaging`'s (possessive) `VERSION_PATTERN`
/// wrapped in `\s*...\s*` and matched case-insensitively.
enum VersionParser {
    static func parse(_ original: String) throws(VersionError) -> Version {
        let stripped = PythonText.strip(original)
        let bytes = Array(stripped.utf8)
        var scanner = ByteScanner(bytes: bytes)
        guard let version = try scanner.scanVersion(original: original), scanner.atEnd else {
            throw .invalid(original)
        }
        return version
    }
}

/// Byte-level scanning shared by the version and specifier grammars.
struct ByteScanner {
    let bytes: [UInt8]
    var position = 0

    init(bytes: [UInt8], position: Int = 0) {
        self.bytes = bytes
        self.position = position
    }

    var atEnd: Bool { position >= bytes.count }
    func peek(_ offset: Int = 0) -> UInt8? {
        let i = position + offset
        return i < bytes.count ? bytes[i] : nil
    }

    static func isSeparator(_ b: UInt8) -> Bool { b == UInt8(ascii: ".") || b == UInt8(ascii: "_") || b == UInt8(ascii: "-") }

    mutating func skipSeparator() { if let b = peek(), Self.isSeparator(b) { position += 1 } }

    /// Consumes `[0-9]+`, returning the digits' range, or nil (nothing consumed).
    mutating func scanDigits() -> Range<Int>? {
        let start = position
        while let b = peek(), PythonText.isASCIIDigit(b) { position += 1 }
        return position > start ? start..<position : nil
    }

    func number(_ range: Range<Int>, original: String) throws(VersionError) -> Int {
        var value = 0
        for b in bytes[range] {
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (s, o2) = m.addingReportingOverflow(Int(b - 0x30))
            if o1 || o2 { throw .numberTooLarge(original) }
            value = s
        }
        return value
    }

    /// Consumes one of `words` (ASCII, lower case) case-insensitively, first listed first.
    mutating func scanWord(_ words: [String]) -> String? {
        guard position < bytes.count else { return nil }
        let first = PythonText.lowercased(bytes[position])
        for word in words where word.utf8.first == first {
            let w = word.utf8
            guard position + w.count <= bytes.count else { continue }
            if zip(bytes[position...], w).allSatisfy({ PythonText.lowercased($0) == $1 }) {
                position += w.count
                return word
            }
        }
        return nil
    }

    static let preWords = ["alpha", "a", "beta", "b", "preview", "pre", "c", "rc"]
    static let postWords = ["post", "rev", "r"]

    static func preKind(_ word: String) -> Version.PreReleaseKind {
        switch word {
        case "alpha", "a": return .alpha
        case "beta", "b": return .beta
        default: return .releaseCandidate
        }
    }

    /// Scans `v? (N!)? N(.N)*` then optional pre, post, dev (and local when `allowLocal`).
    /// Returns nil when no release segment is present; leaves `position` after the longest
    /// match the possessive PEP 440 pattern makes.
    mutating func scanVersion(original: String, allowLocal: Bool = true) throws(VersionError) -> Version? {
        if let b = peek(), b == UInt8(ascii: "v") || b == UInt8(ascii: "V") { position += 1 }
        // epoch
        var epoch = 0
        let epochStart = position
        if let digits = scanDigits(), peek() == UInt8(ascii: "!") {
            epoch = try number(digits, original: original)
            position += 1
        } else {
            position = epochStart
        }
        // release
        guard let first = scanDigits() else { return nil }
        var release = [try number(first, original: original)]
        while peek() == UInt8(ascii: "."), let n = peek(1), PythonText.isASCIIDigit(n) {
            position += 1
            release.append(try number(scanDigits()!, original: original))
        }
        // pre-release
        var pre: (kind: Version.PreReleaseKind, number: Int)?
        let preStart = position
        skipSeparator()
        if let word = scanWord(Self.preWords) {
            skipSeparator()
            let n = try scanDigits().map { r throws(VersionError) in try number(r, original: original) } ?? 0
            pre = (Self.preKind(word), n)
        } else {
            position = preStart
        }
        // post-release
        var post: Int?
        let postStart = position
        if peek() == UInt8(ascii: "-"), let n = peek(1), PythonText.isASCIIDigit(n) {
            position += 1
            post = try number(scanDigits()!, original: original)
        } else {
            skipSeparator()
            if scanWord(Self.postWords) != nil {
                skipSeparator()
                post = try scanDigits().map { r throws(VersionError) in try number(r, original: original) } ?? 0
            } else {
                position = postStart
            }
        }
        // dev release
        var dev: Int?
        let devStart = position
        skipSeparator()
        if scanWord(["dev"]) != nil {
            skipSeparator()
            dev = try scanDigits().map { r throws(VersionError) in try number(r, original: original) } ?? 0
        } else {
            position = devStart
        }
        // local label
        var local: [Version.LocalSegment]?
        if allowLocal, peek() == UInt8(ascii: "+") {
            let save = position
            position += 1
            if let segments = try scanLocal(original: original) {
                local = segments
            } else {
                position = save
            }
        }
        return Version(epoch: epoch, release: release, pre: pre, post: post, dev: dev, local: local)
    }

    /// `[a-z0-9]+([._-][a-z0-9]+)*`, lower-cased and split into segments.
    mutating func scanLocal(original: String) throws(VersionError) -> [Version.LocalSegment]? {
        var segments: [Version.LocalSegment] = []
        func scanAlnum(_ s: inout ByteScanner) -> Range<Int>? {
            let start = s.position
            while let b = s.peek(), PythonText.isASCIIAlphanumeric(b) { s.position += 1 }
            return s.position > start ? start..<s.position : nil
        }
        guard let first = scanAlnum(&self) else { return nil }
        var parts = [first]
        while let b = peek(), Self.isSeparator(b), let n = peek(1), PythonText.isASCIIAlphanumeric(n) {
            position += 1
            parts.append(scanAlnum(&self)!)
        }
        for part in parts {
            if bytes[part].allSatisfy(PythonText.isASCIIDigit) {
                segments.append(.number(try number(part, original: original)))
            } else {
                segments.append(.text(String(decoding: bytes[part].map(PythonText.lowercased), as: UTF8.self)))
            }
        }
        return segments
    }
}
