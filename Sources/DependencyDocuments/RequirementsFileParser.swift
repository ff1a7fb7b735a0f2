import Foundation
import PackagingStandards
import TOML

/// Reads a pip requirements or constraints file ("Requirements File Format" in pip's
/// documentation) for an editor: `#` comments, `\` line continuations, option lines (`-r`, `-c`,
/// `-e`, `--index-url`, …), per-requirement options (`--hash=…`, `--config-settings`), environment
/// markers, `${NAME}` environment variables. It keeps the source range of everything and never
/// stops at a bad line; the editor features and the resolver's ``RequirementsFile`` both read
/// files through it.
struct RequirementsFileParser {
    private let bytes: [UInt8]
    private let locator: SourceLocator
    private let isConstraints: Bool
    private let environment: [String: String]

    init(text: String, isConstraints: Bool, environment: [String: String] = [:]) {
        self.bytes = Array(text.utf8)
        self.locator = SourceLocator(bytes: bytes)
        self.isConstraints = isConstraints
        self.environment = environment
    }

    struct Output {
        var occurrences: [DependencyOccurrence] = []
        var options: [RequirementsOption] = []
        var locations: [RequirementsLocation] = []
        var problems: [DocumentProblem] = []
    }

    /// The index options among a file's option lines (the last `--index-url` wins, as in pip).
    static func indexSettings(of options: [RequirementsOption]) -> DocumentIndexSettings {
        var settings = DocumentIndexSettings()
        for option in options {
            let setting = option.value.map { DocumentSetting(value: $0, range: option.valueRange ?? option.range, key: option.name) }
            switch option.name {
            case "-i", "--index-url": if let setting { settings.indexURL = setting }
            case "--extra-index-url": if let setting { settings.extraIndexURLs.append(setting) }
            case "-f", "--find-links": if let setting { settings.findLinks.append(setting) }
            case "--no-index": settings.noIndex = true
            default: break
            }
        }
        return settings
    }

    /// Expands `${NAME}` (uppercase letters, digits, `_`: the only form pip expands) from the
    /// environment; unknown names stay as written, as in pip.
    func expand(_ text: String) -> String {
        guard text.contains("${") else { return text }
        var result = ""
        var rest = Substring(text)
        while let open = rest.range(of: "${") {
            result += rest[..<open.lowerBound]
            let after = rest[open.upperBound...]
            guard let close = after.firstIndex(of: "}") else {
                rest = rest[open.lowerBound...]
                break
            }
            let name = after[..<close]
            if !name.isEmpty, name.allSatisfy({ $0.isASCII && ($0.isUppercase || $0.isNumber || $0 == "_") }),
               let value = environment[String(name)] {
                result += value
            } else {
                result += rest[open.lowerBound...close]
            }
            rest = after[after.index(after: close)...]
        }
        return result + rest
    }

    /// A logical line: its bytes and, for each, the offset in the file it came from.
    private struct LogicalLine {
        var bytes: [UInt8] = []
        var offsets: [Int] = []
    }

    func parse() -> Output {
        var output = Output()
        for line in logicalLines() {
            parse(line, into: &output)
        }
        return output
    }

    private func logicalLines() -> [LogicalLine] {
        var lines: [LogicalLine] = []
        var current = LogicalLine()
        var start = 0
        while start <= bytes.count {
            var end = start
            while end < bytes.count, bytes[end] != 0x0A { end += 1 }
            var contentEnd = end
            if contentEnd > start, bytes[contentEnd - 1] == 0x0D { contentEnd -= 1 }
            let continues = contentEnd > start && bytes[contentEnd - 1] == UInt8(ascii: "\\") && end < bytes.count
            let lastByte = continues ? contentEnd - 1 : contentEnd
            for offset in start..<lastByte {
                current.bytes.append(bytes[offset])
                current.offsets.append(offset)
            }
            if !continues {
                lines.append(current)
                current = LogicalLine()
            }
            if end >= bytes.count { break }
            start = end + 1
        }
        if !current.bytes.isEmpty { lines.append(current) }
        return lines
    }

    private static func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 }

    private func range(_ line: LogicalLine, _ span: Range<Int>) -> SourceRange {
        guard !span.isEmpty else {
            let offset = span.lowerBound < line.offsets.count ? line.offsets[span.lowerBound] : (line.offsets.last.map { $0 + 1 } ?? 0)
            return locator.range(offset, offset)
        }
        return locator.range(line.offsets[span.lowerBound], line.offsets[span.upperBound - 1] + 1)
    }

    private func text(_ line: LogicalLine, _ span: Range<Int>) -> String {
        String(decoding: line.bytes[span], as: UTF8.self)
    }

    private func parse(_ line: LogicalLine, into output: inout Output) {
        let content = line.bytes
        // Comments: `#` at the start or after whitespace, to the end of the line.
        var end = content.count
        for index in content.indices where content[index] == UInt8(ascii: "#") && (index == 0 || Self.isSpace(content[index - 1])) {
            end = index
            break
        }
        var start = 0
        while start < end, Self.isSpace(content[start]) { start += 1 }
        while end > start, Self.isSpace(content[end - 1]) { end -= 1 }
        guard start < end else { return }

        if content[start] == UInt8(ascii: "-") {
            output.options.append(option(line, start..<end))
            return
        }
        // Per-requirement options start at the first whitespace followed by "-" ("--hash=…").
        var requirementEnd = end
        var index = start
        while index + 1 < end {
            if Self.isSpace(content[index]), content[index + 1] == UInt8(ascii: "-") {
                var probe = index + 1
                while probe < end, content[probe] == UInt8(ascii: "-") { probe += 1 }
                if probe - index - 1 <= 2, probe < end, content[probe] >= 0x61, content[probe] <= 0x7A {
                    requirementEnd = index
                    break
                }
            }
            index += 1
        }
        while requirementEnd > start, Self.isSpace(content[requirementEnd - 1]) { requirementEnd -= 1 }
        let written = text(line, start..<requirementEnd)
        let requirementText = expand(written)
        let (requirement, error) = DependencyOccurrence.parse(requirementText)
        if requirement == nil, Self.looksLikeLocation(requirementText) {
            // A bare path or URL of an archive (a direct reference without a name): not a project to describe.
            output.locations.append(RequirementsLocation(text: requirementText, range: range(line, start..<requirementEnd)))
            return
        }
        let scanned = ProjectNameScanner.scan(written.utf8[...])
        let nameSpan = start + scanned.leading..<start + scanned.leading + scanned.length
        let constraint = ProjectNameScanner.constraintSpan(in: Array(content[..<requirementEnd]), afterName: nameSpan.upperBound)
        output.occurrences.append(DependencyOccurrence(
            text: requirementText, requirement: requirement, parseError: error,
            name: requirement?.name ?? expand(text(line, nameSpan)), range: range(line, start..<requirementEnd), nameRange: range(line, nameSpan),
            constraintRange: constraint.map { range(line, $0) }, section: .requirementsFile, isConstraint: isConstraints))
    }

    private static func looksLikeLocation(_ text: String) -> Bool {
        let lowered = text.lowercased()
        if text.hasPrefix(".") || text.hasPrefix("/") || text.hasPrefix("~") { return true }
        if !text.contains("@"), lowered.contains("://") { return true }
        return !text.contains(" ") && (lowered.hasSuffix(".whl") || lowered.hasSuffix(".tar.gz") || lowered.hasSuffix(".zip"))
    }

    /// `-r file`, `--requirement=file`, `-rfile`, `--pre`.
    private func option(_ line: LogicalLine, _ span: Range<Int>) -> RequirementsOption {
        let content = line.bytes
        var nameEnd = span.lowerBound
        while nameEnd < span.upperBound, !Self.isSpace(content[nameEnd]), content[nameEnd] != UInt8(ascii: "=") { nameEnd += 1 }
        var name = text(line, span.lowerBound..<nameEnd)
        var valueStart = nameEnd
        // Short options may be glued to their value: `-rother.txt`.
        if !name.hasPrefix("--"), name.utf8.count > 2 {
            valueStart = span.lowerBound + 2
            nameEnd = valueStart
            name = String(name.prefix(2))
        }
        while valueStart < span.upperBound, Self.isSpace(content[valueStart]) || content[valueStart] == UInt8(ascii: "=") { valueStart += 1 }
        let hasValue = valueStart < span.upperBound
        return RequirementsOption(
            name: name, value: hasValue ? expand(text(line, valueStart..<span.upperBound)) : nil, range: range(line, span),
            valueRange: hasValue ? range(line, valueStart..<span.upperBound) : nil)
    }
}
