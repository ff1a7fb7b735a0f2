import Foundation

/// The few settings lazywheel reads from pip's INI configuration (`pip.conf`/`pip.ini`, parsed by
/// Python's `configparser`): `key = value` or `key: value` lines under `[section]` headers,
/// indented continuation lines appended to the previous value, `#`/`;` comment lines.
/// Keys are normalized like pip does (`index_url` → `index-url`, lowercase).
struct PipConfigFile: Sendable {
    /// Section name (lowercased) → key → raw value (continuation lines joined by `\n`).
    private(set) var sections: [String: [String: String]] = [:]

    init(contents: String) {
        var section: String?
        var lastKey: String?
        for rawLine in contents.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = rawLine.hasSuffix("\r") ? rawLine.dropLast() : rawLine
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("#") || trimmed.hasPrefix(";") {
                if trimmed.isEmpty { lastKey = nil }
                continue
            }
            if let first = line.first, first == " " || first == "\t", let section, let key = lastKey {
                sections[section, default: [:]][key, default: ""] += "\n" + trimmed
                continue
            }
            if trimmed.hasPrefix("["), trimmed.hasSuffix("]") {
                section = trimmed.dropFirst().dropLast().trimmingCharacters(in: .whitespaces).lowercased()
                lastKey = nil
                continue
            }
            guard let section,
                  let separator = trimmed.firstIndex(where: { $0 == "=" || $0 == ":" })
            else { continue }
            let key = Self.normalizeKey(trimmed[..<separator])
            let value = trimmed[trimmed.index(after: separator)...].trimmingCharacters(in: .whitespaces)
            sections[section, default: [:]][key] = value
            lastKey = key
        }
    }

    /// The value of `key` as pip's `install` command sees it: `[install]` overrides `[global]`.
    func value(for key: String) -> String? {
        sections["install"]?[key] ?? sections["global"]?[key]
    }

    private static func normalizeKey<S: StringProtocol>(_ key: S) -> String {
        key.trimmingCharacters(in: .whitespaces).lowercased().replacingOccurrences(of: "_", with: "-")
    }
}

/// The subset of TOML (v1.0) lazywheel needs from uv's `uv.toml`: `[table]` and `[[array.of.tables]]`
/// headers, `key = value` with basic/literal strings, booleans, integers and (possibly multi-line)
/// arrays of those, and `#` comments. Anything else is skipped rather than rejected: uv itself
/// validates its own files, we only look up index settings.
struct MinimalTOMLDocument: Sendable {
    /// A parsed value. Inline tables are kept as a dictionary of their simple keys.
    enum Value: Sendable, Equatable {
        case string(String)
        case bool(Bool)
        case integer(Int)
        case array([Value])
        case table([String: Value])

        var stringValue: String? {
            if case .string(let text) = self { return text }
            return nil
        }

        var boolValue: Bool? {
            if case .bool(let flag) = self { return flag }
            return nil
        }

        /// A string, or the strings of an array.
        var strings: [String] {
            switch self {
            case .string(let text): [text]
            case .array(let items): items.compactMap(\.stringValue)
            default: []
            }
        }
    }

    /// Keys of the root table and of every `[table]`, by dotted table path ("" for the root).
    private(set) var tables: [String: [String: Value]] = [:]
    /// Entries of every `[[array]]`, by dotted path, in file order.
    private(set) var arrayTables: [String: [[String: Value]]] = [:]

    init(contents: String) {
        enum Target { case table(String), arrayElement(String) }
        var target = Target.table("")
        var pending = ""
        for rawLine in contents.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = Self.stripComment(String(rawLine.hasSuffix("\r") ? rawLine.dropLast() : rawLine))
            if pending.isEmpty {
                let trimmed = line.trimmingCharacters(in: .whitespaces)
                if trimmed.isEmpty { continue }
                if trimmed.hasPrefix("[[") && trimmed.hasSuffix("]]") {
                    let path = Self.normalizePath(trimmed.dropFirst(2).dropLast(2))
                    arrayTables[path, default: []].append([:])
                    target = .arrayElement(path)
                    continue
                }
                if trimmed.hasPrefix("[") && trimmed.hasSuffix("]") {
                    let path = Self.normalizePath(trimmed.dropFirst().dropLast())
                    target = .table(path)
                    tables[path, default: [:]] = tables[path] ?? [:]
                    continue
                }
            }
            pending += pending.isEmpty ? line : "\n" + line
            // A multi-line array continues until its brackets balance.
            guard Self.bracketsBalanced(pending) else { continue }
            let statement = pending
            pending = ""
            guard let equals = Self.firstUnquoted("=", in: statement) else { continue }
            let key = Self.normalizePath(statement[..<equals])
            var parser = ValueParser(text: Substring(statement[statement.index(after: equals)...]))
            guard let value = parser.parseValue() else { continue }
            switch target {
            case .table(let path):
                tables[path, default: [:]][key] = value
            case .arrayElement(let path):
                if var elements = arrayTables[path], !elements.isEmpty {
                    elements[elements.count - 1][key] = value
                    arrayTables[path] = elements
                }
            }
        }
    }

    /// The value of `key` in the table at `path` ("" for the root table).
    func value(_ key: String, inTable path: String = "") -> Value? {
        tables[path]?[key]
    }

    private static func normalizePath<S: StringProtocol>(_ text: S) -> String {
        text.split(separator: ".").map { part in
            var piece = part.trimmingCharacters(in: .whitespaces)
            if piece.count >= 2, let first = piece.first, first == "\"" || first == "'", piece.last == first {
                piece = String(piece.dropFirst().dropLast())
            }
            return piece
        }.joined(separator: ".")
    }

    /// Drops a `#` comment that is not inside a string.
    private static func stripComment(_ line: String) -> String {
        guard let hash = firstUnquoted("#", in: line) else { return line }
        return String(line[..<hash])
    }

    private static func firstUnquoted(_ target: Character, in text: String) -> String.Index? {
        var quote: Character?
        var escaped = false
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            if let open = quote {
                if escaped {
                    escaped = false
                } else if character == "\\" && open == "\"" {
                    escaped = true
                } else if character == open {
                    quote = nil
                }
            } else if character == "\"" || character == "'" {
                quote = character
            } else if character == target {
                return index
            }
            index = text.index(after: index)
        }
        return nil
    }

    private static func bracketsBalanced(_ text: String) -> Bool {
        var depth = 0
        var quote: Character?
        var escaped = false
        for character in text {
            if let open = quote {
                if escaped { escaped = false } else if character == "\\" && open == "\"" { escaped = true } else if character == open { quote = nil }
                continue
            }
            switch character {
            case "\"", "'": quote = character
            case "[", "{": depth += 1
            case "]", "}": depth -= 1
            default: break
            }
        }
        return depth <= 0
    }

    /// A recursive-descent reader of one TOML value.
    private struct ValueParser {
        var text: Substring

        mutating func skipSpace() {
            text = text.drop(while: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" })
        }

        mutating func parseValue() -> Value? {
            skipSpace()
            guard let first = text.first else { return nil }
            switch first {
            case "\"":
                if text.hasPrefix("\"\"\"") { return parseMultilineString(delimiter: "\"\"\"", escapes: true) }
                return parseBasicString()
            case "'":
                if text.hasPrefix("'''") { return parseMultilineString(delimiter: "'''", escapes: false) }
                text = text.dropFirst()
                guard let end = text.firstIndex(of: "'") else { return nil }
                let value = String(text[..<end])
                text = text[text.index(after: end)...]
                return .string(value)
            case "[":
                text = text.dropFirst()
                var items: [Value] = []
                while true {
                    skipSpace()
                    if text.first == "]" {
                        text = text.dropFirst()
                        return .array(items)
                    }
                    if text.first == "," {
                        text = text.dropFirst()
                        continue
                    }
                    guard let item = parseValue() else { return nil }
                    items.append(item)
                }
            case "{":
                text = text.dropFirst()
                var table: [String: Value] = [:]
                while true {
                    skipSpace()
                    if text.first == "}" {
                        text = text.dropFirst()
                        return .table(table)
                    }
                    if text.first == "," {
                        text = text.dropFirst()
                        continue
                    }
                    guard let equals = text.firstIndex(of: "=") else { return nil }
                    let key = MinimalTOMLDocument.normalizePath(text[..<equals])
                    text = text[text.index(after: equals)...]
                    guard let value = parseValue() else { return nil }
                    table[key] = value
                }
            default:
                let end = text.firstIndex(where: { $0 == "," || $0 == "]" || $0 == "}" || $0 == "\n" }) ?? text.endIndex
                let word = text[..<end].trimmingCharacters(in: .whitespaces)
                text = text[end...]
                if word == "true" { return .bool(true) }
                if word == "false" { return .bool(false) }
                if let number = Int(word.replacingOccurrences(of: "_", with: "")) { return .integer(number) }
                return nil
            }
        }

        private mutating func parseBasicString() -> Value? {
            text = text.dropFirst()
            var value = ""
            while let character = text.first {
                text = text.dropFirst()
                if character == "\"" { return .string(value) }
                if character == "\\" {
                    guard let escape = text.first else { return nil }
                    text = text.dropFirst()
                    switch escape {
                    case "n": value.append("\n")
                    case "t": value.append("\t")
                    case "r": value.append("\r")
                    case "\\": value.append("\\")
                    case "\"": value.append("\"")
                    case "u", "U":
                        let length = escape == "u" ? 4 : 8
                        let hex = text.prefix(length)
                        text = text.dropFirst(length)
                        if let code = UInt32(hex, radix: 16), let scalar = Unicode.Scalar(code) {
                            value.unicodeScalars.append(scalar)
                        }
                    default: value.append(escape)
                    }
                } else {
                    value.append(character)
                }
            }
            return nil
        }

        private mutating func parseMultilineString(delimiter: String, escapes: Bool) -> Value? {
            text = text.dropFirst(3)
            if text.first == "\n" { text = text.dropFirst() }
            guard let end = text.range(of: delimiter) else { return nil }
            let raw = String(text[..<end.lowerBound])
            text = text[end.upperBound...]
            return .string(escapes ? raw.replacingOccurrences(of: "\\\n", with: "") : raw)
        }
    }
}
