// PEP 425 compatibility tags: https://peps.python.org/pep-0425/

/// Why a tag (or compressed tag set) is invalid.
public enum TagError: Error, Equatable, Sendable, CustomStringConvertible {
    case invalid(String, reason: String)

    public var description: String {
        switch self {
        case .invalid(let tag, let reason): return "Invalid tag '\(tag)': \(reason) (expected interpreter-abi-platform, e.g. cp312-cp312-manylinux_2_17_x86_64)"
        }
    }
}

/// One PEP 425 compatibility tag `interpreter-abi-platform` (e.g. `cp312-abi3-win_amd64`),
/// lower-cased like `packaging.tags.Tag`.
public struct Tag: Sendable, Hashable, Comparable, CustomStringConvertible, Codable {
    public let interpreter: String
    public let abi: String
    public let platform: String

    public init(_ interpreter: String, _ abi: String, _ platform: String) {
        self.interpreter = interpreter.lowercasedASCIIFast()
        self.abi = abi.lowercasedASCIIFast()
        self.platform = platform.lowercasedASCIIFast()
    }

    public var description: String { "\(interpreter)-\(abi)-\(platform)" }

    public static func < (a: Tag, b: Tag) -> Bool { a.description < b.description }

    /// Expands a compressed tag set (`py2.py3-none-any` → two tags), in interpreter × abi ×
    /// platform order. Rejects empty components, a wrong number of parts and interpreters that
    /// are not identifiers, like `packaging.tags.parse_tag` (26.3).
    public static func parseSet(_ text: String) throws(TagError) -> [Tag] {
        try expand(PythonText.split(text, on: "-").map { PythonText.split($0, on: ".") }, text: text)
    }

    /// ``parseSet(_:)`` of a tag set already split into its dash-separated components, each split
    /// at its dots; `text` is the whole set, for errors.
    static func expand(_ components: [[String]], text: @autoclosure () -> String) throws(TagError) -> [Tag] {
        for parts in components where parts.contains("") {
            throw .invalid(text(), reason: "empty component")
        }
        guard components.count == 3 else { throw .invalid(text(), reason: "must have exactly three components") }
        for interpreter in components[0] where !isIdentifier(interpreter) {
            throw .invalid(text(), reason: "interpreter '\(interpreter)' is not an identifier")
        }
        var tags: [Tag] = []
        for i in components[0] {
            for a in components[1] {
                for p in components[2] { tags.append(Tag(i, a, p)) }
            }
        }
        return tags
    }

    /// Python's `str.isidentifier()` (approximated with Unicode alphabetic/numeric properties).
    static func isIdentifier(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first else { return false }
        guard first == "_" || isXIDStart(first) else { return false }
        return text.unicodeScalars.dropFirst().allSatisfy(isXIDContinue)
    }

    /// XID_Start; in ASCII exactly the letters, answered without a Unicode property lookup.
    private static func isXIDStart(_ scalar: Unicode.Scalar) -> Bool {
        guard scalar.isASCII else { return scalar.properties.isXIDStart }
        return PythonText.isASCIIAlphanumeric(UInt8(scalar.value)) && !PythonText.isASCIIDigit(UInt8(scalar.value))
    }

    /// XID_Continue; in ASCII exactly the letters, digits and `_`.
    private static func isXIDContinue(_ scalar: Unicode.Scalar) -> Bool {
        guard scalar.isASCII else { return scalar.properties.isXIDContinue }
        return scalar == "_" || PythonText.isASCIIAlphanumeric(UInt8(scalar.value))
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        let tags = try Tag.parseSet(text)
        guard tags.count == 1 else { throw TagError.invalid(text, reason: "a compressed tag set is not a single tag") }
        self = tags[0]
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
