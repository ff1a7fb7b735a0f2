/// A recursive-descent parser for TOML 1.0 (<https://toml.io/en/v1.0.0>) over UTF-8 bytes.
///
/// Tables are built in a mutable tree of ``TableBuilder``s that remembers how each table was made
/// (header, implicitly, dotted keys, inline, array of tables), which is what TOML's rules against
/// redefinition depend on; the tree becomes ``TOMLTable`` values at the end.
struct TOMLParser {
    private let bytes: [UInt8]
    let locator: SourceLocator
    private var index = 0

    init(bytes: [UInt8]) {
        self.bytes = bytes
        self.locator = SourceLocator(bytes: bytes)
    }

    // MARK: Table tree

    private enum Origin {
        /// Made by `[a.b]` for `a`: may still be defined by its own header later.
        case implicit
        /// Defined by its own `[header]` (or the root).
        case header
        /// Made by a dotted key `a.b = 1`.
        case dotted
        /// An inline table `{ … }`: closed.
        case inline
        /// An element of an array of tables.
        case arrayElement
    }

    private final class TableBuilder {
        var origin: Origin
        var keys: [String] = []
        var items: [String: Item] = [:]
        var range: SourceRange
        var keyRange: SourceRange?

        init(origin: Origin, range: SourceRange, keyRange: SourceRange?) {
            self.origin = origin
            self.range = range
            self.keyRange = keyRange
        }

        func insert(_ key: String, _ item: Item) {
            if items[key] == nil { keys.append(key) }
            items[key] = item
        }

        func build() -> TOMLTable {
            var table = TOMLTable()
            for key in keys {
                switch items[key]! {
                case .value(let node):
                    table.set(key, node)
                case .table(let child):
                    table.set(key, TOMLNode(value: .table(child.build()), range: child.range, keyRange: child.keyRange))
                case .arrayOfTables(let list):
                    let elements = list.tables.map { TOMLNode(value: .table($0.build()), range: $0.range, keyRange: $0.keyRange) }
                    table.set(key, TOMLNode(value: .array(elements), range: list.range, keyRange: list.keyRange))
                }
            }
            return table
        }
    }

    private final class TableList {
        var tables: [TableBuilder] = []
        var range: SourceRange
        var keyRange: SourceRange

        init(range: SourceRange, keyRange: SourceRange) {
            self.range = range
            self.keyRange = keyRange
        }
    }

    private enum Item {
        case value(TOMLNode)
        case table(TableBuilder)
        case arrayOfTables(TableList)
    }

    private struct KeyPart {
        var name: String
        var range: SourceRange
    }

    // MARK: Document

    mutating func parseDocument() throws(TOMLError) -> TOMLTable {
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { index = 3 }
        let root = TableBuilder(origin: .header, range: locator.range(0, bytes.count), keyRange: nil)
        var current = root
        while true {
            skipWhitespace()
            guard let byte = peek() else { break }
            switch byte {
            case UInt8(ascii: "#"):
                try skipComment()
            case UInt8(ascii: "\n"), UInt8(ascii: "\r"):
                try consumeNewline()
                continue
            case UInt8(ascii: "["):
                current = try parseHeader(root: root)
            default:
                try parseKeyValue(into: current)
            }
            try expectEndOfLine()
        }
        return root.build()
    }

    /// After a key/value pair or header: whitespace, an optional comment, then a newline or the end.
    private mutating func expectEndOfLine() throws(TOMLError) {
        skipWhitespace()
        if peek() == UInt8(ascii: "#") { try skipComment() }
        guard let byte = peek() else { return }
        guard byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") else {
            throw error("expected the end of the line after a value, found \(describe(byte)); put each key/value pair on its own line")
        }
        try consumeNewline()
    }

    private mutating func parseHeader(root: TableBuilder) throws(TOMLError) -> TableBuilder {
        let start = index
        index += 1
        let isArray = peek() == UInt8(ascii: "[")
        if isArray { index += 1 }
        skipWhitespace()
        let path = try parseKey()
        skipWhitespace()
        guard peek() == UInt8(ascii: "]") else { throw error("expected ']' to close the table header") }
        index += 1
        if isArray {
            guard peek() == UInt8(ascii: "]") else { throw error("expected ']]' to close the array-of-tables header") }
            index += 1
        }
        let headerRange = locator.range(start, index)
        let keyRange = SourceRange(start: path.first!.range.start, end: path.last!.range.end)
        var table = root
        for part in path.dropLast() {
            table = try descendForHeader(table, part)
        }
        let last = path.last!
        if isArray {
            let element = TableBuilder(origin: .arrayElement, range: headerRange, keyRange: keyRange)
            switch table.items[last.name] {
            case nil:
                let list = TableList(range: headerRange, keyRange: keyRange)
                list.tables.append(element)
                table.insert(last.name, .arrayOfTables(list))
            case .arrayOfTables(let list):
                list.tables.append(element)
                list.range.end = headerRange.end
            default:
                throw TOMLError("cannot define '\(last.name)' as an array of tables: it is already defined as another value or table", at: last.range.start)
            }
            return element
        }
        switch table.items[last.name] {
        case nil:
            let child = TableBuilder(origin: .header, range: headerRange, keyRange: keyRange)
            table.insert(last.name, .table(child))
            return child
        case .table(let existing) where existing.origin == .implicit:
            existing.origin = .header
            existing.range = headerRange
            existing.keyRange = keyRange
            return existing
        default:
            throw TOMLError("table '\(path.map(\.name).joined(separator: "."))' is defined more than once", at: last.range.start)
        }
    }

    /// The table `part` names inside `table` for a header, creating it implicitly when missing;
    /// arrays of tables descend into their last element.
    private func descendForHeader(_ table: TableBuilder, _ part: KeyPart) throws(TOMLError) -> TableBuilder {
        switch table.items[part.name] {
        case nil:
            let child = TableBuilder(origin: .implicit, range: part.range, keyRange: part.range)
            table.insert(part.name, .table(child))
            return child
        case .table(let child) where child.origin != .inline:
            return child
        case .arrayOfTables(let list):
            return list.tables.last!
        default:
            throw TOMLError("'\(part.name)' is already a value (or an inline table), so it cannot hold a sub-table", at: part.range.start)
        }
    }

    private mutating func parseKeyValue(into table: TableBuilder) throws(TOMLError) {
        let path = try parseKey()
        skipWhitespace()
        guard peek() == UInt8(ascii: "=") else {
            if peek() == nil || peek() == UInt8(ascii: "\n") || peek() == UInt8(ascii: "\r") {
                throw error("expected '=' after the key '\(path.map(\.name).joined(separator: "."))': a key needs a value")
            }
            throw error("expected '=' after the key, found \(describe(peek()!)); keys with spaces or dots must be quoted")
        }
        index += 1
        skipWhitespace()
        let value = try parseValue()
        try assign(value, to: path, in: table)
    }

    private func assign(_ value: TOMLNode, to path: [KeyPart], in table: TableBuilder) throws(TOMLError) {
        var target = table
        for part in path.dropLast() {
            switch target.items[part.name] {
            case nil:
                let child = TableBuilder(origin: .dotted, range: part.range, keyRange: part.range)
                target.insert(part.name, .table(child))
                target = child
            case .table(let child) where child.origin == .dotted:
                target = child
            default:
                throw TOMLError("cannot add keys to '\(part.name)' with a dotted key: it is already defined elsewhere", at: part.range.start)
            }
        }
        let last = path.last!
        guard target.items[last.name] == nil else {
            throw TOMLError("duplicate key '\(path.map(\.name).joined(separator: "."))'", at: last.range.start)
        }
        var node = value
        node.keyRange = SourceRange(start: path.first!.range.start, end: last.range.end)
        // Inline tables and arrays are stored as closed values: no header or dotted key may extend them.
        target.insert(last.name, .value(node))
    }

    // MARK: Keys

    /// A possibly dotted key: `a`, `"quoted key"`, `a.'b'.c`.
    private mutating func parseKey() throws(TOMLError) -> [KeyPart] {
        var parts: [KeyPart] = []
        while true {
            let start = index
            let name: String
            switch peek() {
            case UInt8(ascii: "\""):
                if bytes[index...].starts(with: Array("\"\"\"".utf8)) {
                    throw error("multi-line strings cannot be keys")
                }
                name = try parseBasicString()
            case UInt8(ascii: "'"):
                if bytes[index...].starts(with: Array("'''".utf8)) {
                    throw error("multi-line strings cannot be keys")
                }
                name = try parseLiteralString()
            case let byte? where Self.isBareKeyByte(byte):
                while let byte = peek(), Self.isBareKeyByte(byte) { index += 1 }
                name = String(decoding: bytes[start..<index], as: UTF8.self)
            case let byte?:
                throw error("expected a key, found \(describe(byte)); bare keys may only use A-Z a-z 0-9 _ -, quote others")
            case nil:
                throw error("expected a key, found the end of the document")
            }
            parts.append(KeyPart(name: name, range: locator.range(start, index)))
            skipWhitespace()
            guard peek() == UInt8(ascii: ".") else { return parts }
            index += 1
            skipWhitespace()
        }
    }

    private static func isBareKeyByte(_ byte: UInt8) -> Bool {
        (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39)
            || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
    }

    // MARK: Values

    private mutating func parseValue() throws(TOMLError) -> TOMLNode {
        let start = index
        guard let byte = peek() else { throw error("expected a value, found the end of the document") }
        let value: TOMLValue
        switch byte {
        case UInt8(ascii: "\""):
            value = .string(bytes[index...].starts(with: Array("\"\"\"".utf8)) ? try parseMultilineBasicString() : try parseBasicString())
        case UInt8(ascii: "'"):
            value = .string(bytes[index...].starts(with: Array("'''".utf8)) ? try parseMultilineLiteralString() : try parseLiteralString())
        case UInt8(ascii: "["):
            value = .array(try parseArray())
        case UInt8(ascii: "{"):
            value = .table(try parseInlineTable())
        case UInt8(ascii: "t"), UInt8(ascii: "f"):
            if bytes[index...].starts(with: Array("true".utf8)) {
                index += 4
                value = .boolean(true)
            } else if bytes[index...].starts(with: Array("false".utf8)) {
                index += 5
                value = .boolean(false)
            } else {
                throw error("expected a value; strings must be quoted")
            }
            if let next = peek(), Self.isBareKeyByte(next) { throw TOMLError("invalid value; strings must be quoted", at: locator.position(at: start)) }
        case UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "#"):
            throw error("expected a value after '='")
        default:
            value = try parseScalarToken()
        }
        return TOMLNode(value: value, range: locator.range(start, index))
    }

    private mutating func parseArray() throws(TOMLError) -> [TOMLNode] {
        index += 1
        var elements: [TOMLNode] = []
        while true {
            try skipWhitespaceCommentsAndNewlines()
            if peek() == UInt8(ascii: "]") {
                index += 1
                return elements
            }
            elements.append(try parseValue())
            try skipWhitespaceCommentsAndNewlines()
            switch peek() {
            case UInt8(ascii: ","):
                index += 1
            case UInt8(ascii: "]"):
                index += 1
                return elements
            case let byte?:
                throw error("expected ',' or ']' in the array, found \(describe(byte))")
            case nil:
                throw error("unterminated array: expected ']'")
            }
        }
    }

    private mutating func parseInlineTable() throws(TOMLError) -> TOMLTable {
        let start = index
        index += 1
        let builder = TableBuilder(origin: .header, range: locator.range(start, start), keyRange: nil)
        skipWhitespace()
        if peek() == UInt8(ascii: "}") {
            index += 1
            return builder.build()
        }
        while true {
            skipWhitespace()
            if peek() == UInt8(ascii: "\n") || peek() == UInt8(ascii: "\r") {
                throw error("inline tables must stay on one line (TOML 1.0); use a [table] instead")
            }
            let path = try parseKey()
            skipWhitespace()
            guard peek() == UInt8(ascii: "=") else { throw error("expected '=' after the key in the inline table") }
            index += 1
            skipWhitespace()
            let value = try parseValue()
            try assign(value, to: path, in: builder)
            skipWhitespace()
            switch peek() {
            case UInt8(ascii: ","):
                index += 1
                skipWhitespace()
                if peek() == UInt8(ascii: "}") { throw error("trailing commas are not allowed in inline tables") }
            case UInt8(ascii: "}"):
                index += 1
                return builder.build()
            case UInt8(ascii: "\n"), UInt8(ascii: "\r"):
                throw error("inline tables must stay on one line (TOML 1.0); use a [table] instead")
            case let byte?:
                throw error("expected ',' or '}' in the inline table, found \(describe(byte))")
            case nil:
                throw error("unterminated inline table: expected '}'")
            }
        }
    }

    // MARK: Strings

    private mutating func parseBasicString() throws(TOMLError) -> String {
        index += 1
        var scalars = String.UnicodeScalarView()
        var chunkStart = index
        while true {
            guard let byte = peek() else { throw error("unterminated string: expected '\"'") }
            switch byte {
            case UInt8(ascii: "\""):
                scalars.append(contentsOf: try decode(chunkStart, index))
                index += 1
                return String(scalars)
            case UInt8(ascii: "\\"):
                scalars.append(contentsOf: try decode(chunkStart, index))
                scalars.append(try parseEscape())
                chunkStart = index
            case UInt8(ascii: "\n"), UInt8(ascii: "\r"):
                throw error("unterminated string: basic strings end on the same line; use \"\"\" for multi-line strings")
            default:
                try checkControl(byte)
                index += 1
            }
        }
    }

    private mutating func parseMultilineBasicString() throws(TOMLError) -> String {
        index += 3
        if peek() == UInt8(ascii: "\n") { index += 1 } else if bytes[index...].starts(with: [13, 10]) { index += 2 }
        var scalars = String.UnicodeScalarView()
        var chunkStart = index
        while true {
            guard let byte = peek() else { throw error("unterminated multi-line string: expected '\"\"\"'") }
            switch byte {
            case UInt8(ascii: "\""):
                if bytes[index...].starts(with: Array("\"\"\"".utf8)) {
                    var end = index + 3
                    var extra = 0
                    while extra < 2, end < bytes.count, bytes[end] == UInt8(ascii: "\"") {
                        end += 1
                        extra += 1
                    }
                    scalars.append(contentsOf: try decode(chunkStart, index + extra))
                    index = end
                    return String(scalars)
                }
                index += 1
            case UInt8(ascii: "\\"):
                scalars.append(contentsOf: try decode(chunkStart, index))
                let save = index
                index += 1
                // Line-ending backslash: trims whitespace and newlines up to the next visible character.
                var probe = index
                while probe < bytes.count, bytes[probe] == 0x20 || bytes[probe] == 0x09 { probe += 1 }
                if probe < bytes.count, bytes[probe] == 0x0A || (bytes[probe] == 0x0D && probe + 1 < bytes.count && bytes[probe + 1] == 0x0A) {
                    index = probe
                    while let next = peek(), next == 0x20 || next == 0x09 || next == 0x0A || next == 0x0D {
                        if next == 0x0D { try consumeNewline() } else { index += 1 }
                    }
                } else {
                    index = save
                    scalars.append(try parseEscape())
                }
                chunkStart = index
            case UInt8(ascii: "\r"):
                guard index + 1 < bytes.count, bytes[index + 1] == 0x0A else { throw error("a carriage return must be followed by a line feed") }
                // A newline in the value is "\n" whatever the file's line ends, as Python's tomllib reads it.
                scalars.append(contentsOf: try decode(chunkStart, index))
                scalars.append("\n")
                index += 2
                chunkStart = index
            case UInt8(ascii: "\n"):
                index += 1
            default:
                try checkControl(byte)
                index += 1
            }
        }
    }

    private mutating func parseLiteralString() throws(TOMLError) -> String {
        index += 1
        let start = index
        while true {
            guard let byte = peek() else { throw error("unterminated literal string: expected \"'\"") }
            if byte == UInt8(ascii: "'") {
                let text = try decode(start, index)
                index += 1
                return String(text)
            }
            if byte == 0x0A || byte == 0x0D {
                throw error("unterminated literal string: literal strings end on the same line; use ''' for multi-line strings")
            }
            try checkControl(byte)
            index += 1
        }
    }

    private mutating func parseMultilineLiteralString() throws(TOMLError) -> String {
        index += 3
        if peek() == UInt8(ascii: "\n") { index += 1 } else if bytes[index...].starts(with: [13, 10]) { index += 2 }
        var text = ""
        var chunkStart = index
        while true {
            guard let byte = peek() else { throw error("unterminated multi-line literal string: expected \"'''\"") }
            if byte == UInt8(ascii: "'"), bytes[index...].starts(with: Array("'''".utf8)) {
                var end = index + 3
                var extra = 0
                while extra < 2, end < bytes.count, bytes[end] == UInt8(ascii: "'") {
                    end += 1
                    extra += 1
                }
                text += String(try decode(chunkStart, index + extra))
                index = end
                return text
            }
            if byte == 0x0D {
                guard index + 1 < bytes.count, bytes[index + 1] == 0x0A else { throw error("a carriage return must be followed by a line feed") }
                text += String(try decode(chunkStart, index)) + "\n"
                index += 2
                chunkStart = index
                continue
            }
            if byte != 0x0A { try checkControl(byte) }
            index += 1
        }
    }

    /// An escape sequence of a basic string, `index` at the backslash.
    private mutating func parseEscape() throws(TOMLError) -> Unicode.Scalar {
        let start = index
        index += 1
        guard let byte = peek() else { throw error("unterminated escape sequence") }
        index += 1
        switch byte {
        case UInt8(ascii: "b"): return "\u{08}"
        case UInt8(ascii: "t"): return "\t"
        case UInt8(ascii: "n"): return "\n"
        case UInt8(ascii: "f"): return "\u{0C}"
        case UInt8(ascii: "r"): return "\r"
        case UInt8(ascii: "\""): return "\""
        case UInt8(ascii: "\\"): return "\\"
        case UInt8(ascii: "u"), UInt8(ascii: "U"):
            let count = byte == UInt8(ascii: "u") ? 4 : 8
            guard index + count <= bytes.count,
                  let code = UInt32(String(decoding: bytes[index..<index + count], as: UTF8.self), radix: 16),
                  bytes[index..<index + count].allSatisfy({ Self.isHexDigit($0) })
            else {
                throw TOMLError("\\\(Character(Unicode.Scalar(byte))) needs exactly \(count) hexadecimal digits", at: locator.position(at: start))
            }
            guard let scalar = Unicode.Scalar(code) else {
                throw TOMLError("\\\(Character(Unicode.Scalar(byte))) escape is not a Unicode scalar value (surrogates and values above 10FFFF are not allowed)", at: locator.position(at: start))
            }
            index += count
            return scalar
        default:
            throw TOMLError("invalid escape sequence '\\\(describeRaw(byte))'; TOML 1.0 allows \\b \\t \\n \\f \\r \\\" \\\\ \\uXXXX \\UXXXXXXXX", at: locator.position(at: start))
        }
    }

    private static func isHexDigit(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x46) || (byte >= 0x61 && byte <= 0x66)
    }

    private func checkControl(_ byte: UInt8) throws(TOMLError) {
        if (byte < 0x20 && byte != 0x09) || byte == 0x7F {
            throw error("control character U+\(String(byte, radix: 16, uppercase: true)) must be escaped")
        }
    }

    /// The UTF-8 text of `bytes[start..<end]`, refusing invalid UTF-8.
    private func decode(_ start: Int, _ end: Int) throws(TOMLError) -> String.UnicodeScalarView {
        guard let text = String(validating: bytes[start..<end], as: UTF8.self) else {
            throw TOMLError("invalid UTF-8 in a string", at: locator.position(at: start))
        }
        return text.unicodeScalars
    }

    // MARK: Numbers, booleans, dates

    private mutating func parseScalarToken() throws(TOMLError) -> TOMLValue {
        let start = index
        while let byte = peek(), Self.isScalarByte(byte) { index += 1 }
        // A local or offset date-time may separate date and time with a space.
        if index - start == 10, peek() == 0x20, index + 3 < bytes.count,
           Self.isDigit(bytes[index + 1]), Self.isDigit(bytes[index + 2]), bytes[index + 3] == UInt8(ascii: ":"),
           bytes[start + 4] == UInt8(ascii: "-")
        {
            index += 1
            while let byte = peek(), Self.isScalarByte(byte) { index += 1 }
        }
        let text = String(decoding: bytes[start..<index], as: UTF8.self)
        guard !text.isEmpty else {
            throw error("expected a value, found \(describe(peek()!)); strings must be quoted")
        }
        let position = locator.position(at: start)
        if let value = Self.integer(text) { return .integer(value) }
        if let value = Self.float(text) { return .float(value) }
        if let value = Self.dateTime(text) { return .dateTime(value) }
        if text.contains(":") || (text.utf8.count >= 10 && Array(text.utf8)[4] == UInt8(ascii: "-") && text.first!.isNumber) {
            throw TOMLError("invalid date or time '\(text)' (RFC 3339: 1979-05-27, 07:32:00, 1979-05-27T07:32:00Z)", at: position)
        }
        if text.allSatisfy({ $0.isNumber || $0 == "_" || $0 == "+" || $0 == "-" }), !text.contains(where: { $0.isLetter }) {
            throw TOMLError("invalid number '\(text)' (integers fit in 64 bits, no leading zeros, '_' only between digits)", at: position)
        }
        throw TOMLError("invalid value '\(text)'; strings must be quoted", at: position)
    }

    private static func isScalarByte(_ byte: UInt8) -> Bool {
        isBareKeyByte(byte) || byte == UInt8(ascii: "+") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: ":")
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

    /// Digits with single underscores between them, per `allowed` digit set.
    private static func digitsWithUnderscores(_ text: Substring, allowed: (Character) -> Bool) -> String? {
        guard let first = text.first, let last = text.last, first != "_", last != "_" else { return nil }
        var result = ""
        var previousUnderscore = false
        for character in text {
            if character == "_" {
                if previousUnderscore { return nil }
                previousUnderscore = true
                continue
            }
            guard allowed(character) else { return nil }
            previousUnderscore = false
            result.append(character)
        }
        return result
    }

    static func integer(_ text: String) -> Int64? {
        var body = Substring(text)
        var negative = false
        if let sign = body.first, sign == "+" || sign == "-" {
            negative = sign == "-"
            body = body.dropFirst()
            if body.hasPrefix("0x") || body.hasPrefix("0o") || body.hasPrefix("0b") { return nil }
        }
        for (prefix, radix) in [("0x", 16), ("0o", 8), ("0b", 2)] where body.hasPrefix(prefix) {
            let digits = body.dropFirst(2)
            guard let clean = digitsWithUnderscores(digits, allowed: { $0.isHexDigit && Int(String($0), radix: radix) != nil }) else { return nil }
            return UInt64(clean, radix: radix).flatMap { Int64(exactly: $0) }
        }
        guard let clean = digitsWithUnderscores(body, allowed: { $0.isASCII && $0.isNumber }) else { return nil }
        if clean.count > 1 && clean.hasPrefix("0") { return nil }
        if negative {
            guard let magnitude = UInt64(clean), magnitude <= UInt64(Int64.max) + 1 else { return nil }
            return magnitude == UInt64(Int64.max) + 1 ? Int64.min : -Int64(magnitude)
        }
        return Int64(clean)
    }

    static func float(_ text: String) -> Double? {
        var body = Substring(text)
        var sign = ""
        if let first = body.first, first == "+" || first == "-" {
            sign = first == "-" ? "-" : ""
            body = body.dropFirst()
        }
        if body == "inf" { return sign == "-" ? -Double.infinity : Double.infinity }
        if body == "nan" { return Double.nan }
        // integer part, then fraction and/or exponent.
        let exponentIndex = body.firstIndex(where: { $0 == "e" || $0 == "E" })
        let mantissa = exponentIndex.map { body[..<$0] } ?? body
        let exponent = exponentIndex.map { body[body.index(after: $0)...] }
        let parts = mantissa.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2, exponent != nil || parts.count == 2 else { return nil }
        let isDigit: (Character) -> Bool = { $0.isASCII && $0.isNumber }
        guard let whole = digitsWithUnderscores(parts[0], allowed: isDigit), !(whole.count > 1 && whole.hasPrefix("0")) else { return nil }
        var literal = sign + whole
        if parts.count == 2 {
            guard let fraction = digitsWithUnderscores(parts[1], allowed: isDigit) else { return nil }
            literal += "." + fraction
        }
        if var exponent {
            var exponentSign = ""
            if let first = exponent.first, first == "+" || first == "-" {
                exponentSign = String(first)
                exponent = exponent.dropFirst()
            }
            guard let digits = digitsWithUnderscores(exponent, allowed: isDigit) else { return nil }
            literal += "e" + exponentSign + digits
        }
        return Double(literal)
    }

    static func dateTime(_ text: String) -> TOMLDateTime? {
        let characters = Array(text)
        var position = 0
        func number(_ count: Int) -> Int? {
            guard position + count <= characters.count else { return nil }
            let slice = characters[position..<position + count]
            guard slice.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
            position += count
            return Int(String(slice))
        }
        func expect(_ character: Character) -> Bool {
            guard position < characters.count, characters[position] == character else { return false }
            position += 1
            return true
        }
        var date: TOMLDateTime.Date?
        var time: TOMLDateTime.Time?
        var offset: Int?
        if characters.count >= 10, characters[4] == "-" {
            guard let year = number(4), expect("-"), let month = number(2), expect("-"), let day = number(2) else { return nil }
            guard (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year) else { return nil }
            date = .init(year: year, month: month, day: day)
            if position == characters.count { return TOMLDateTime(date: date, time: nil, offsetMinutes: nil, text: text) }
            guard position < characters.count, ["T", "t", " "].contains(characters[position]) else { return nil }
            position += 1
        }
        guard let hour = number(2), expect(":"), let minute = number(2), expect(":"), let second = number(2) else { return nil }
        guard hour < 24, minute < 60, second <= 60 else { return nil }
        var fraction = ""
        if expect(".") {
            while position < characters.count, characters[position].isASCII, characters[position].isNumber {
                fraction.append(characters[position])
                position += 1
            }
            guard !fraction.isEmpty else { return nil }
        }
        time = .init(hour: hour, minute: minute, second: second, fraction: fraction)
        if position < characters.count {
            guard date != nil else { return nil }
            if characters[position] == "Z" || characters[position] == "z" {
                position += 1
                offset = 0
            } else if characters[position] == "+" || characters[position] == "-" {
                let negative = characters[position] == "-"
                position += 1
                guard let hours = number(2), expect(":"), let minutes = number(2), hours < 24, minutes < 60 else { return nil }
                offset = (negative ? -1 : 1) * (hours * 60 + minutes)
            } else {
                return nil
            }
        }
        guard position == characters.count else { return nil }
        return TOMLDateTime(date: date, time: time, offsetMinutes: offset, text: text)
    }

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    // MARK: Whitespace, comments, newlines

    private func peek() -> UInt8? { index < bytes.count ? bytes[index] : nil }

    private mutating func skipWhitespace() {
        while let byte = peek(), byte == 0x20 || byte == 0x09 { index += 1 }
    }

    private mutating func skipComment() throws(TOMLError) {
        let start = index
        while let byte = peek(), byte != 0x0A {
            if byte == 0x0D, index + 1 < bytes.count, bytes[index + 1] == 0x0A { break }
            if (byte < 0x20 && byte != 0x09) || byte == 0x7F {
                throw error("control character U+\(String(byte, radix: 16, uppercase: true)) is not allowed in a comment")
            }
            index += 1
        }
        guard String(validating: bytes[start..<index], as: UTF8.self) != nil else {
            throw TOMLError("invalid UTF-8 in a comment", at: locator.position(at: start))
        }
    }

    private mutating func consumeNewline() throws(TOMLError) {
        if peek() == 0x0D {
            guard index + 1 < bytes.count, bytes[index + 1] == 0x0A else { throw error("a carriage return must be followed by a line feed") }
            index += 2
        } else {
            index += 1
        }
    }

    private mutating func skipWhitespaceCommentsAndNewlines() throws(TOMLError) {
        while let byte = peek() {
            switch byte {
            case 0x20, 0x09: index += 1
            case 0x0A, 0x0D: try consumeNewline()
            case UInt8(ascii: "#"): try skipComment()
            default: return
            }
        }
    }

    // MARK: Errors

    private func error(_ message: String) -> TOMLError {
        TOMLError(message, at: locator.position(at: index))
    }

    private func describeRaw(_ byte: UInt8) -> String {
        byte >= 0x20 && byte < 0x7F ? String(Character(Unicode.Scalar(byte))) : "\\u{\(String(byte, radix: 16))}"
    }

    private func describe(_ byte: UInt8) -> String {
        switch byte {
        case 0x0A: "a line break"
        case 0x20: "a space"
        default: "'\(describeRaw(byte))'"
        }
    }
}
