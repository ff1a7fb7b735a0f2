/// A TOML 1.0 date, time or date-time (<https://toml.io/en/v1.0.0#offset-date-time> and the three
/// local kinds), kept as its components plus the text as written.
public struct TOMLDateTime: Sendable, Hashable, CustomStringConvertible {
    public struct Date: Sendable, Hashable {
        public var year: Int, month: Int, day: Int
    }
    public struct Time: Sendable, Hashable {
        public var hour: Int, minute: Int, second: Int
        /// Fractional seconds as written after the dot (`"999"` for `.999`), empty when absent.
        public var fraction: String
    }

    public var date: Date?
    public var time: Time?
    /// Offset from UTC in minutes (`Z` is 0); nil for local date-times, dates and times.
    public var offsetMinutes: Int?
    /// The value as written in the document.
    public var text: String

    /// Which of the four TOML kinds this is.
    public enum Kind: Sendable, Hashable { case offsetDateTime, localDateTime, localDate, localTime }

    public var kind: Kind {
        if date != nil && time != nil { return offsetMinutes == nil ? .localDateTime : .offsetDateTime }
        return date != nil ? .localDate : .localTime
    }

    public var description: String { text }
}

/// A TOML value. Tables keep their keys in document order.
public indirect enum TOMLValue: Sendable, Hashable {
    case string(String)
    case integer(Int64)
    case float(Double)
    case boolean(Bool)
    case dateTime(TOMLDateTime)
    case array([TOMLNode])
    case table(TOMLTable)

    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    public var integerValue: Int64? {
        if case .integer(let value) = self { return value }
        return nil
    }

    public var boolValue: Bool? {
        if case .boolean(let value) = self { return value }
        return nil
    }

    public var arrayValue: [TOMLNode]? {
        if case .array(let value) = self { return value }
        return nil
    }

    public var tableValue: TOMLTable? {
        if case .table(let value) = self { return value }
        return nil
    }

    /// The TOML type name, for messages ("string", "integer", "float", "boolean", "datetime",
    /// "array", "table").
    public var typeName: String {
        switch self {
        case .string: "string"
        case .integer: "integer"
        case .float: "float"
        case .boolean: "boolean"
        case .dateTime: "datetime"
        case .array: "array"
        case .table: "table"
        }
    }
}

/// A value with where it was written: `range` covers the value's source text (for a string, the
/// quotes included), `keyRange` the key that named it (nil for array elements and the root).
///
/// Tables made by a `[header]` span from the header to the header's end; tables made implicitly
/// (by `[a.b]` making `a`, or by dotted keys) span the key that first made them.
public struct TOMLNode: Sendable, Hashable {
    public var value: TOMLValue
    public var range: SourceRange
    public var keyRange: SourceRange?

    public init(value: TOMLValue, range: SourceRange, keyRange: SourceRange? = nil) {
        self.value = value
        self.range = range
        self.keyRange = keyRange
    }

    /// The member `key` when this is a table.
    public subscript(key: String) -> TOMLNode? { value.tableValue?[key] }
}

/// A TOML table: keys in document order, each naming a ``TOMLNode``.
public struct TOMLTable: Sendable, Hashable {
    /// The members in the order they were first written.
    public private(set) var entries: [(key: String, node: TOMLNode)]
    private var indexByKey: [String: Int]

    public init() {
        entries = []
        indexByKey = [:]
    }

    public subscript(key: String) -> TOMLNode? {
        indexByKey[key].map { entries[$0].node }
    }

    /// The keys in document order.
    public var keys: [String] { entries.map(\.key) }

    /// Adds `node` under `key`, or replaces the node already there (keeping its place).
    public mutating func set(_ key: String, _ node: TOMLNode) {
        if let index = indexByKey[key] {
            entries[index].node = node
        } else {
            indexByKey[key] = entries.count
            entries.append((key, node))
        }
    }

    /// The node at a dotted path of keys (`["tool", "poetry", "dependencies"]`).
    public func node(at path: [String]) -> TOMLNode? {
        guard let first = path.first, let node = self[first] else { return nil }
        if path.count == 1 { return node }
        return node.value.tableValue?.node(at: Array(path.dropFirst()))
    }

    public static func == (lhs: TOMLTable, rhs: TOMLTable) -> Bool {
        lhs.entries.count == rhs.entries.count
            && zip(lhs.entries, rhs.entries).allSatisfy { $0.key == $1.key && $0.node == $1.node }
    }

    public func hash(into hasher: inout Hasher) {
        for entry in entries {
            hasher.combine(entry.key)
            hasher.combine(entry.node)
        }
    }
}

/// A parsed TOML 1.0 document (<https://toml.io/en/v1.0.0>) whose every value knows its source range.
///
/// Written here rather than taken from a package: none of the packages available to lazywheel
/// parses TOML with source positions, and editor hover and diagnostics need the exact line/column
/// range of each dependency string in a `pyproject.toml`. Covered: tables, arrays of tables, inline
/// tables, dotted keys (with TOML's redefinition rules), the four string kinds with escapes and
/// line-ending backslashes, integers (hex, octal, binary, `_`), floats (`inf`, `nan`), booleans,
/// offset and local date-times, local dates and times.
public struct TOMLDocument: Sendable {
    /// The root table.
    public var root: TOMLTable
    /// Converts byte offsets of the parsed text into line/column positions.
    public let locator: SourceLocator

    /// Parses `text` as TOML 1.0.
    public init(parsing text: String) throws(TOMLError) {
        var parser = TOMLParser(bytes: Array(text.utf8))
        self.root = try parser.parseDocument()
        self.locator = parser.locator
    }

    /// The node at a dotted path of keys.
    public func node(at path: [String]) -> TOMLNode? { root.node(at: path) }

    public subscript(key: String) -> TOMLNode? { root[key] }
}

/// Why a text is not valid TOML 1.0, with the position (zero-based line and UTF-16 column inside
/// ``position``) where the problem was found.
public struct TOMLError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    public var position: SourcePosition

    public init(_ message: String, at position: SourcePosition) {
        self.message = message
        self.position = position
    }

    /// `TOML error at line L, column C: message` (one-based, as editors show them).
    public var description: String {
        "TOML error at line \(position.line + 1), column \(position.utf16Column + 1): \(message)"
    }
}
