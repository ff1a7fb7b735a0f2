// PEP 508 dependency specifiers: https://peps.python.org/pep-0508/
// A hand-written recursive-descent parser equivalent to `packaging._parser` / `_tokenizer`,
// so that the same strings are accepted and produce the same trees.

/// A syntax error in a requirement or marker, with the character offset where it was found.
public struct DependencySyntaxError: Error, Equatable, Sendable, CustomStringConvertible {
    public let message: String
    public let source: String
    public let offset: Int

    public var description: String {
        let pad = String(repeating: " ", count: max(0, offset))
        return "\(message)\n    \(source)\n    \(pad)^"
    }
}

/// One node of a parsed marker, in `packaging`'s flat list form: atoms separated by `and`/`or`,
/// with parenthesised groups nested.
enum MarkerNode: Sendable, Hashable {
    case item(MarkerOperand, MarkerOperator, MarkerOperand)
    case group([MarkerNode])
    case and
    case or
}

/// The left or right side of a marker comparison.
public enum MarkerOperand: Sendable, Hashable {
    /// An environment variable (`python_version`, `extra`, ...), with dotted and legacy aliases
    /// already mapped (`os.name` → `os_name`, `python_implementation` →
    /// `platform_python_implementation`).
    case variable(String)
    /// A quoted string, after Python string-literal unescaping.
    case value(String)

    var serialized: String {
        switch self {
        case .variable(let name): return name
        case .value(let text):
            if !text.contains("\"") { return "\"\(text)\"" }
            return "'\(text)'"
        }
    }
}

/// A marker comparison operator.
public enum MarkerOperator: String, Sendable, Hashable {
    case lessThanOrEqual = "<=", lessThan = "<", notEqual = "!=", equal = "==", greaterThanOrEqual = ">="
    case greaterThan = ">", compatible = "~=", arbitrary = "===", `in` = "in", notIn = "not in"
}

struct ParsedRequirement {
    var name: String
    var url: String
    var extras: [String]
    var specifier: String
    var marker: [MarkerNode]?
}

struct DependencySpecifierParser {
    let source: String
    let s: [Unicode.Scalar]
    var position = 0

    init(_ source: String) {
        self.source = source
        self.s = Array(source.unicodeScalars)
    }

    // MARK: Entry points

    static func parseRequirement(_ text: String) throws(DependencySyntaxError) -> ParsedRequirement {
        var parser = DependencySpecifierParser(text)
        return try parser.requirement()
    }

    static func parseMarker(_ text: String) throws(DependencySyntaxError) -> [MarkerNode] {
        var parser = DependencySpecifierParser(text)
        let nodes = try parser.marker()
        guard parser.atEnd else { throw parser.error("Expected end of marker expression") }
        return nodes
    }

    // MARK: Grammar

    mutating func requirement() throws(DependencySyntaxError) -> ParsedRequirement {
        consumeWhitespace()
        guard let nameEnd = matchIdentifier() else {
            throw error("Expected package name at the start of dependency specifier")
        }
        let name = text(position, nameEnd)
        position = nameEnd
        consumeWhitespace()
        let extras = try extrasList()
        consumeWhitespace()
        var url = "", specifier = ""
        var marker: [MarkerNode]?
        if peek("@") {
            position += 1
            consumeWhitespace()
            var end = position
            while end < s.count, !PythonText.isWhitespace(s[end]) { end += 1 }
            guard end > position else { throw error("Expected URL after @") }
            url = text(position, end)
            position = end
            if !atEnd {
                guard consumeWhitespace() else { throw error("Expected whitespace after URL") }
                if !atEnd {
                    marker = try requirementMarker(expected: "semicolon (after URL and whitespace)")
                }
            }
        } else {
            specifier = try specifierList()
            consumeWhitespace()
            if !atEnd {
                marker = try requirementMarker(
                    expected: specifier.isEmpty
                        ? "semicolon (after name with no version specifier)"
                        : "comma (within version specifier), semicolon (after version specifier)")
            }
        }
        guard atEnd else { throw error("Expected end of dependency specifier") }
        return ParsedRequirement(name: name, url: url, extras: extras, specifier: specifier, marker: marker)
    }

    mutating func requirementMarker(expected: String) throws(DependencySyntaxError) -> [MarkerNode] {
        guard peek(";") else { throw error("Expected \(expected) or end") }
        position += 1
        let nodes = try marker()
        consumeWhitespace()
        return nodes
    }

    mutating func extrasList() throws(DependencySyntaxError) -> [String] {
        guard peek("[") else { return [] }
        let open = position
        position += 1
        consumeWhitespace()
        var extras: [String] = []
        if let end = matchIdentifier() {
            extras.append(text(position, end))
            position = end
            while true {
                consumeWhitespace()
                if matchIdentifier() != nil { throw error("Expected comma between extra names") }
                guard peek(",") else { break }
                position += 1
                consumeWhitespace()
                guard let next = matchIdentifier() else { throw error("Expected extra name after comma") }
                extras.append(text(position, next))
                position = next
            }
        }
        consumeWhitespace()
        guard peek("]") else { throw error("Expected matching RIGHT_BRACKET for LEFT_BRACKET, after extras", at: open) }
        position += 1
        return extras
    }

    mutating func specifierList() throws(DependencySyntaxError) -> String {
        let open: Int? = peek("(") ? position : nil
        if open != nil { position += 1 }
        consumeWhitespace()
        let result: String
        if let whole = wholeSpecifierListWithArbitraryClause() {
            result = whole
        } else {
            result = try specifierClauses()
        }
        consumeWhitespace()
        if let open {
            guard peek(")") else {
                throw error("Expected matching RIGHT_PARENTHESIS for LEFT_PARENTHESIS, after version specifier", at: open)
            }
            position += 1
        }
        return result
    }

    /// `packaging` (26.4 on) first reads the whole specifier list, up to `;`, `)` or the end, as a
    /// ``SpecifierSet`` (printable ASCII and tabs only; empty items only as one trailing comma),
    /// and falls back to reading clause by clause when that fails. The two readings differ only
    /// where a clause is `===`: clause by clause its operand runs on over commas
    /// (`===1.0, <2` is one operand `1.0,`), while the set splits at them. So the whole list is
    /// tried only when it holds `===`; it is consumed and returned when it reads.
    mutating func wholeSpecifierListWithArbitraryClause() -> String? {
        func mayBeInList(_ c: Unicode.Scalar) -> Bool {
            c == "\t" || (c.value >= 0x20 && c.value <= 0x7E && c != ")" && c != ";")
        }
        var end = position
        while end < s.count, mayBeInList(s[end]) { end += 1 }
        guard end > position, end == s.count || s[end] == ")" || s[end] == ";" else { return nil }
        let list = text(position, end)
        guard list.contains("==="), (try? SpecifierSet(list)) != nil else { return nil }
        // The set skips empty items; the grammar allows one only after a trailing comma.
        let items = list.split(separator: ",", omittingEmptySubsequences: false)
        let blank = items.indices.filter { PythonText.strip(items[$0]).isEmpty }
        guard blank.isEmpty || (blank == [items.count - 1] && items.count > 1) else { return nil }
        position = end
        return list
    }

    /// `version_many`: clauses separated by commas, read one at a time.
    mutating func specifierClauses() throws(DependencySyntaxError) -> String {
        var result = ""
        while let match = SpecifierGrammar.match(s, at: position) {
            let start = position
            result += text(position, match.end)
            position = match.end
            if peek(".*") {
                let spec = text(start, match.end)
                let message = spec.hasPrefix("!=") || (spec.hasPrefix("==") && !spec.hasPrefix("==="))
                    ? ".* suffix cannot be used with pre-release, post-release, dev or local versions"
                    : ".* suffix can only be used with `==` or `!=` operators"
                throw error(message, at: start)
            }
            if matchLocalLabelTrail() {
                throw error("Local version label can only be used with `==` or `!=` operators", at: start)
            }
            consumeWhitespace()
            guard peek(",") else { break }
            result += ","
            position += 1
            consumeWhitespace()
        }
        return result
    }

    mutating func marker() throws(DependencySyntaxError) -> [MarkerNode] {
        var nodes = [try markerAtom()]
        while let op = matchKeyword(["or", "and"]) {
            position += op.unicodeScalars.count
            nodes.append(op == "or" ? .or : .and)
            nodes.append(try markerAtom())
        }
        return nodes
    }

    mutating func markerAtom() throws(DependencySyntaxError) -> MarkerNode {
        consumeWhitespace()
        let node: MarkerNode
        if peek("(") {
            let open = position
            position += 1
            consumeWhitespace()
            let inner = try marker()
            consumeWhitespace()
            guard peek(")") else {
                throw error("Expected matching RIGHT_PARENTHESIS for LEFT_PARENTHESIS, after marker expression", at: open)
            }
            position += 1
            node = .group(inner)
        } else {
            consumeWhitespace()
            let lhs = try markerVariable()
            consumeWhitespace()
            let op = try markerOperator()
            consumeWhitespace()
            let rhs = try markerVariable()
            consumeWhitespace()
            node = .item(lhs, op, rhs)
        }
        consumeWhitespace()
        return node
    }

    static let variableNames = [
        "python_version", "python_full_version", "os_name", "os.name", "sys_platform", "sys.platform",
        "platform_release", "platform_system", "platform_version", "platform.version", "platform_machine",
        "platform.machine", "platform_python_implementation", "platform.python_implementation",
        "python_implementation", "implementation_name", "implementation_version", "extras", "extra",
        "dependency_groups",
    ]

    mutating func markerVariable() throws(DependencySyntaxError) -> MarkerOperand {
        if isBoundary(position) {
            for name in Self.variableNames where has(name, at: position) {
                let end = position + name.unicodeScalars.count
                guard isBoundary(end) else { continue }
                position = end
                var normalized = String(name.map { $0 == "." ? "_" : $0 })
                if normalized == "python_implementation" { normalized = "platform_python_implementation" }
                return .variable(normalized)
            }
        }
        if position < s.count, s[position] == "'" || s[position] == "\"" {
            let quote = s[position]
            var end = position + 1
            while end < s.count, s[end] != quote { end += 1 }
            if end < s.count {
                let start = position
                let body = Array(s[(position + 1)..<end])
                position = end + 1
                guard let value = PythonStringLiteral.unescape(body) else {
                    throw error("Invalid quoted string", at: start)
                }
                return .value(value)
            }
        }
        throw error("Expected a marker variable or quoted string")
    }

    mutating func markerOperator() throws(DependencySyntaxError) -> MarkerOperator {
        if matchKeyword(["in"]) != nil {
            position += 2
            return .in
        }
        if matchKeyword(["not"]) != nil {
            position += 3
            guard consumeWhitespace() else { throw error("Expected whitespace after 'not'") }
            guard matchKeyword(["in"]) != nil else { throw error("Expected 'in' after 'not'") }
            position += 2
            return .notIn
        }
        for op in ["===", "==", "~=", "!=", "<=", ">=", "<", ">"] where has(op, at: position) {
            position += op.count
            return MarkerOperator(rawValue: op)!
        }
        throw error("Expected marker operator, one of <=, <, !=, ==, >=, >, ~=, ===, in, not in")
    }

    // MARK: Tokens

    var atEnd: Bool { position >= s.count }

    func text(_ start: Int, _ end: Int) -> String { PythonText.string(s[start..<end]) }

    func has(_ literal: String, at i: Int) -> Bool {
        var j = i
        for c in literal.unicodeScalars {
            guard j < s.count, s[j] == c else { return false }
            j += 1
        }
        return true
    }

    func peek(_ literal: String) -> Bool { has(literal, at: position) }

    /// `[ \t]+`; returns whether anything was consumed.
    @discardableResult
    mutating func consumeWhitespace() -> Bool {
        let start = position
        while position < s.count, s[position] == " " || s[position] == "\t" { position += 1 }
        return position > start
    }

    func isWord(_ i: Int) -> Bool { i >= 0 && i < s.count && PythonText.isWordCharacter(s[i]) }

    /// `re`'s `\b` at index `i`.
    func isBoundary(_ i: Int) -> Bool { isWord(i - 1) != isWord(i) }

    /// `\b(word1|word2)\b`; returns the keyword matched at `position`.
    func matchKeyword(_ words: [String]) -> String? {
        guard isBoundary(position) else { return nil }
        for word in words where has(word, at: position) && isBoundary(position + word.unicodeScalars.count) {
            return word
        }
        return nil
    }

    /// `\b[a-zA-Z0-9][a-zA-Z0-9._-]*\b`; returns the end index.
    func matchIdentifier() -> Int? {
        guard position < s.count, isBoundary(position) else { return nil }
        func alnum(_ c: Unicode.Scalar) -> Bool { c.isASCII && PythonText.isASCIIAlphanumeric(UInt8(c.value)) }
        guard alnum(s[position]) else { return nil }
        var run = position + 1
        while run < s.count, alnum(s[run]) || s[run] == "." || s[run] == "_" || s[run] == "-" { run += 1 }
        var end = run
        while end > position {
            if isBoundary(end) { return end }
            end -= 1
        }
        return nil
    }

    /// `\+[a-z0-9]+(?:[-_\.][a-z0-9]+)*` (case-sensitive) at `position`.
    func matchLocalLabelTrail() -> Bool {
        guard peek("+"), position + 1 < s.count else { return false }
        let c = s[position + 1]
        return (c >= "a" && c <= "z") || (c >= "0" && c <= "9")
    }

    func error(_ message: String, at offset: Int? = nil) -> DependencySyntaxError {
        DependencySyntaxError(message: message, source: source, offset: offset ?? position)
    }
}

/// Python string-literal unescaping as `ast.literal_eval` performs it on a quoted marker value.
enum PythonStringLiteral {
    /// Returns nil where Python raises (bad `\x`/`\u`/`\U` escapes, a trailing backslash, raw
    /// line breaks or NUL, `\N{...}` which is not supported here, lone surrogates).
    static func unescape(_ body: [Unicode.Scalar]) -> String? {
        var out = String.UnicodeScalarView()
        var i = 0
        func hex(_ count: Int) -> UInt32? {
            guard i + count <= body.count else { return nil }
            var value: UInt32 = 0
            for k in 0..<count {
                guard let d = hexDigit(body[i + k]) else { return nil }
                value = value * 16 + d
            }
            i += count
            return value
        }
        while i < body.count {
            let c = body[i]
            if c == "\n" || c == "\r" || c == "\0" { return nil }
            guard c == "\\" else {
                out.append(c)
                i += 1
                continue
            }
            guard i + 1 < body.count else { return nil }  // would escape the closing quote
            let e = body[i + 1]
            i += 2
            switch e {
            case "\n": break
            case "\\": out.append("\\")
            case "'": out.append("'")
            case "\"": out.append("\"")
            case "a": out.append("\u{07}")
            case "b": out.append("\u{08}")
            case "f": out.append("\u{0C}")
            case "n": out.append("\n")
            case "r": out.append("\r")
            case "t": out.append("\t")
            case "v": out.append("\u{0B}")
            case "0"..."7":
                var value = e.value - 0x30
                var digits = 1
                while digits < 3, i < body.count, body[i] >= "0", body[i] <= "7" {
                    value = value * 8 + (body[i].value - 0x30)
                    i += 1
                    digits += 1
                }
                guard let scalar = Unicode.Scalar(value) else { return nil }
                out.append(scalar)
            case "x", "u", "U":
                let count = e == "x" ? 2 : (e == "u" ? 4 : 8)
                guard let value = hex(count), let scalar = Unicode.Scalar(value) else { return nil }
                out.append(scalar)
            case "N":
                return nil
            default:
                out.append("\\")
                out.append(e)
            }
        }
        return String(out)
    }

    static func hexDigit(_ c: Unicode.Scalar) -> UInt32? {
        switch c {
        case "0"..."9": return c.value - 0x30
        case "a"..."f": return c.value - 0x61 + 10
        case "A"..."F": return c.value - 0x41 + 10
        default: return nil
        }
    }
}
