import Foundation
import TOML

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

/// A `uv.toml`, parsed with the project's TOML 1.0 parser, read for the few keys index
/// configuration needs. A file that is not valid TOML counts as empty (uv would refuse it too).
struct UVConfigFile: Sendable {
    private let root: TOMLTable

    init(contents: String) {
        root = (try? TOMLDocument(parsing: contents))?.root ?? TOMLTable()
    }

    /// The table at `path` ("" for the root table).
    private func table(_ path: String) -> TOMLTable? {
        path.isEmpty ? root : root[path]?.value.tableValue
    }

    /// The string value of `key` in the table at `path`.
    func string(_ key: String, inTable path: String = "") -> String? {
        table(path)?[key]?.value.stringValue
    }

    /// A string value, or the strings of an array value, of `key` in the table at `path`.
    func strings(_ key: String, inTable path: String = "") -> [String] {
        guard let node = table(path)?[key] else { return [] }
        if let text = node.value.stringValue { return [text] }
        return node.value.arrayValue?.compactMap(\.value.stringValue) ?? []
    }

    /// The `[[index]]` entries, in file order.
    var indexes: [TOMLTable] {
        root["index"]?.value.arrayValue?.compactMap(\.value.tableValue) ?? []
    }
}
