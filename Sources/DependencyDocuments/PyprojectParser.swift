import PackagingStandards
import TOML

/// Finds the dependencies of a `pyproject.toml`: `[project] dependencies` and
/// `optional-dependencies` (PEP 621), `[dependency-groups]` (PEP 735, with `{include-group}`),
/// `[build-system] requires` (PEP 518), `[tool.poetry]` dependencies, dev-dependencies and groups,
/// and `[tool.uv]` dev-, constraint- and override-dependencies.
struct PyprojectParser {
    private let text: String
    private let bytes: [UInt8]

    init(text: String) {
        self.text = text
        self.bytes = Array(text.utf8)
    }

    struct Output {
        var occurrences: [DependencyOccurrence] = []
        var includes: [GroupInclude] = []
        var problems: [DocumentProblem] = []
        var indexSettings = DocumentIndexSettings()
        var requiresPython: DocumentSetting?
    }

    func parse() -> Output {
        var output = Output()
        let document: TOMLDocument
        do {
            document = try TOMLDocument(parsing: text)
        } catch {
            output.problems.append(DocumentProblem(message: error.message, range: SourceRange(start: error.position, end: error.position)))
            return output
        }
        let locator = document.locator
        if let node = document.node(at: ["build-system", "requires"]) {
            strings(node, section: .buildSystemRequires, locator: locator, into: &output)
        }
        if let node = document.node(at: ["project", "dependencies"]) {
            strings(node, section: .projectDependencies, locator: locator, into: &output)
        }
        if let extras = document.node(at: ["project", "optional-dependencies"]) {
            for (extra, node) in tableEntries(extras, what: "[project.optional-dependencies]", into: &output) {
                strings(node, section: .optionalDependencies(extra: extra), locator: locator, into: &output)
            }
        }
        if let groups = document.node(at: ["dependency-groups"]) {
            let entries = tableEntries(groups, what: "[dependency-groups]", into: &output)
            let names = Set(entries.map { ProjectName.canonical($0.0) })
            var includes: [GroupInclude] = []
            for (group, node) in entries {
                strings(node, section: .dependencyGroup(group), locator: locator, into: &output) { table, range in
                    guard let included = table["include-group"]?.value.stringValue else { return false }
                    includes.append(GroupInclude(group: group, included: included, range: range))
                    return true
                }
            }
            for include in includes where !names.contains(ProjectName.canonical(include.included)) {
                output.problems.append(DocumentProblem(
                    message: "dependency group '\(include.group)' includes '\(include.included)', which is not defined in [dependency-groups]",
                    range: include.range))
            }
            output.includes += includes
        }
        for key in ["dev-dependencies", "constraint-dependencies", "override-dependencies"] {
            if let node = document.node(at: ["tool", "uv", key]) {
                strings(node, section: .uv(key: key), locator: locator, into: &output, isConstraint: key != "dev-dependencies")
            }
        }
        if let node = document.node(at: ["project", "requires-python"]), let value = node.value.stringValue {
            output.requiresPython = DocumentSetting(value: value, range: node.range, key: "[project] requires-python")
        }
        if let uv = document.node(at: ["tool", "uv"]) {
            output.indexSettings = uvIndexes(uv)
        }
        if let poetry = document.node(at: ["tool", "poetry"]) {
            if let node = poetry["dependencies"] { poetryTable(node, group: nil, into: &output) }
            if let node = poetry["dev-dependencies"] { poetryTable(node, group: "dev", into: &output) }
            if let groups = poetry["group"] {
                for (group, node) in tableEntries(groups, what: "[tool.poetry.group]", into: &output) {
                    if let dependencies = node["dependencies"] { poetryTable(dependencies, group: group, into: &output) }
                }
            }
        }
        return output
    }

    /// uv's index settings (`index-url`, `extra-index-url`, `find-links`, `no-index`, and
    /// `[[tool.uv.index]]` tables, where `default = true` replaces the default index), as uv reads them.
    private func uvIndexes(_ uv: TOMLNode) -> DocumentIndexSettings {
        var settings = DocumentIndexSettings()
        func setting(_ node: TOMLNode?, key: String) -> DocumentSetting? {
            guard let node, let value = node.value.stringValue else { return nil }
            return DocumentSetting(value: value, range: node.range, key: key)
        }
        func list(_ node: TOMLNode?, key: String) -> [DocumentSetting] {
            guard let node else { return [] }
            if let single = setting(node, key: key) { return [single] }
            return (node.value.arrayValue ?? []).compactMap { setting($0, key: key) }
        }
        settings.indexURL = setting(uv["index-url"], key: "[tool.uv] index-url")
        settings.extraIndexURLs = list(uv["extra-index-url"], key: "[tool.uv] extra-index-url")
        settings.findLinks = list(uv["find-links"], key: "[tool.uv] find-links")
        settings.noIndex = uv["no-index"]?.value.boolValue ?? false
        var named: [DocumentSetting] = []
        for index in uv["index"]?.value.arrayValue ?? [] {
            guard let url = setting(index["url"], key: "[[tool.uv.index]] url") else { continue }
            if index["default"]?.value.boolValue == true {
                settings.indexURL = url
            } else if index["explicit"]?.value.boolValue != true {
                named.append(url)
            }
        }
        // uv consults `[[tool.uv.index]]` entries before `extra-index-url` ones.
        settings.extraIndexURLs = named + settings.extraIndexURLs
        return settings
    }

    private func tableEntries(_ node: TOMLNode, what: String, into output: inout Output) -> [(String, TOMLNode)] {
        guard let table = node.value.tableValue else {
            output.problems.append(DocumentProblem(message: "\(what) must be a table, not a \(node.value.typeName)", range: node.range))
            return []
        }
        return table.entries.map { ($0.key, $0.node) }
    }

    /// An array of PEP 508 strings; `other` handles non-string elements (PEP 735 include tables).
    private func strings(
        _ node: TOMLNode, section: DependencySection, locator: SourceLocator, into output: inout Output,
        isConstraint: Bool = false, other: (TOMLTable, SourceRange) -> Bool = { _, _ in false }
    ) {
        guard let elements = node.value.arrayValue else {
            output.problems.append(DocumentProblem(
                message: "\(section) must be an array of PEP 508 requirement strings, not a \(node.value.typeName)", range: node.range))
            return
        }
        for element in elements {
            if let string = element.value.stringValue {
                output.occurrences.append(occurrence(string, node: element, section: section, isConstraint: isConstraint))
            } else if let table = element.value.tableValue, other(table, element.range) {
                continue
            } else {
                output.problems.append(DocumentProblem(
                    message: "\(section) entries must be PEP 508 requirement strings, not a \(element.value.typeName)",
                    range: element.range))
            }
        }
    }

    /// A string element: ranges inside the quotes when its text maps byte for byte (no escapes).
    private func occurrence(_ string: String, node: TOMLNode, section: DependencySection, isConstraint: Bool) -> DependencyOccurrence {
        let (requirement, error) = DependencyOccurrence.parse(string)
        let contentStart = node.range.start.byteOffset + 1
        let contentEnd = node.range.end.byteOffset - 1
        let raw = contentEnd >= contentStart ? Array(bytes[contentStart..<contentEnd]) : []
        let exact = raw == Array(string.utf8)
        let scanned = ProjectNameScanner.scan(string.utf8[...])
        let name = String(decoding: Array(string.utf8)[scanned.leading..<scanned.leading + scanned.length], as: UTF8.self)
        guard exact else {
            return DependencyOccurrence(
                text: string, requirement: requirement, parseError: error, name: name, range: node.range, nameRange: node.range,
                constraintRange: nil, section: section, isConstraint: isConstraint)
        }
        let locator = SourceLocator(bytes: bytes)
        let nameStart = contentStart + scanned.leading
        let constraint = ProjectNameScanner.constraintSpan(in: raw, afterName: scanned.leading + scanned.length)
        return DependencyOccurrence(
            text: string, requirement: requirement, parseError: error, name: name,
            range: locator.range(contentStart, contentEnd), nameRange: locator.range(nameStart, nameStart + scanned.length),
            constraintRange: constraint.map { locator.range(contentStart + $0.lowerBound, contentStart + $0.upperBound) },
            section: section, isConstraint: isConstraint)
    }

    /// `name = "^1.2"` or `name = { version = "^1.2", extras = [...], python = "^3.8", markers = "…" }`.
    private func poetryTable(_ node: TOMLNode, group: String?, into output: inout Output) {
        let section = DependencySection.poetry(group: group)
        let locator = SourceLocator(bytes: bytes)
        for (name, value) in tableEntries(node, what: "\(section)", into: &output) where name.lowercased() != "python" {
            let nameRange = value.keyRange ?? value.range
            let whole = SourceRange(start: nameRange.start, end: value.range.end)
            var constraint: String?
            var constraintNode: TOMLNode?
            var extras: [String] = []
            var markers: [String] = []
            var conversionError: String?
            var isDirect = false
            switch value.value {
            case .string(let text):
                constraint = text
                constraintNode = value
            case .table(let table):
                constraintNode = table["version"]
                constraint = constraintNode?.value.stringValue
                extras = table["extras"]?.value.arrayValue?.compactMap(\.value.stringValue) ?? []
                isDirect = ["git", "path", "url"].contains { table[$0] != nil }
                if let python = table["python"]?.value.stringValue {
                    do {
                        if let marker = try PoetryConstraint.pythonMarker(python) { markers.append(marker) }
                    } catch {
                        conversionError = error.description
                    }
                }
                if let marker = table["markers"]?.value.stringValue { markers.append(marker) }
            case .array:
                // Multiple constraints (one per python/platform): each table is its own entry.
                for element in value.value.arrayValue ?? [] {
                    var single = element
                    single.keyRange = value.keyRange
                    var nested = TOMLTable()
                    nested.set(name, single)
                    poetryTable(TOMLNode(value: .table(nested), range: element.range), group: group, into: &output)
                }
                continue
            default:
                output.problems.append(DocumentProblem(
                    message: "poetry dependency '\(name)' must be a version string or a table, not a \(value.value.typeName)", range: value.range))
                continue
            }
            var specifier = ""
            if let constraint, !isDirect {
                do {
                    specifier = try PoetryConstraint.pep440(constraint)
                } catch {
                    conversionError = error.description
                }
            }
            var text = name
            if !extras.isEmpty { text += "[\(extras.joined(separator: ","))]" }
            text += specifier
            if !markers.isEmpty { text += " ; " + markers.map { markers.count > 1 ? "(\($0))" : $0 }.joined(separator: " and ") }
            var (requirement, error) = DependencyOccurrence.parse(text)
            if let conversionError {
                requirement = nil
                error = conversionError
            }
            var constraintRange: SourceRange?
            if let constraintNode, constraintNode.value.stringValue != nil {
                let start = constraintNode.range.start.byteOffset + 1
                let end = constraintNode.range.end.byteOffset - 1
                if end > start { constraintRange = locator.range(start, end) }
            }
            output.occurrences.append(DependencyOccurrence(
                text: text, requirement: isDirect ? nil : requirement, parseError: isDirect ? nil : error, name: name,
                range: whole, nameRange: nameRange, constraintRange: constraintRange, section: section))
        }
    }
}
