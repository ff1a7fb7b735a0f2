import DependencyDocuments
import PackagingStandards
import TOML

/// The text edits of the version code actions: update a constraint to the latest version keeping
/// the user's operator (`==2.31.0` → `==2.32.3`, `>=2.31` → `>=2.32.3`, `~=2.31` → `~=2.32`,
/// poetry `^2.31` → `^2.32.3`), pin to a version, and replace a project name.
enum VersionEdits {
    /// The constraint as written, from the document text.
    static func constraintText(_ occurrence: DependencyOccurrence, in document: OpenDocument) -> String? {
        guard let range = occurrence.constraintRange else { return nil }
        let bytes = Array(document.text.utf8)
        guard range.start.byteOffset <= range.end.byteOffset, range.end.byteOffset <= bytes.count else { return nil }
        return String(decoding: bytes[range.start.byteOffset..<range.end.byteOffset], as: UTF8.self)
    }

    /// The edit raising the constraint's lower bound or pin to `latest`, keeping its operators;
    /// upper bounds that would exclude `latest` are dropped. Nil when the constraint already
    /// admits only versions at least `latest`, or has no version to raise.
    static func update(_ occurrence: DependencyOccurrence, to latest: Version, in document: OpenDocument) -> TextEdit? {
        guard let range = occurrence.constraintRange, let written = constraintText(occurrence, in: document) else { return nil }
        let isPoetry: Bool
        if case .poetry = occurrence.section { isPoetry = true } else { isPoetry = false }
        var clauses: [String] = []
        var raised = false
        for raw in written.split(separator: ",") {
            let clause = raw.trimmingCharacters(in: .whitespaces)
            let op = String(clause.prefix { "<>=!~^".contains($0) })
            let versionText = clause.dropFirst(op.count).trimmingCharacters(in: .whitespaces)
            guard !versionText.contains("*"), let version = try? Version(versionText) else {
                clauses.append(clause)
                continue
            }
            switch op.isEmpty && !isPoetry ? "?" : op {
            case "==", "===", ">=", "^", "~", "":
                if version < latest {
                    clauses.append(op + latest.description)
                    raised = true
                } else {
                    clauses.append(clause)
                }
            case "~=":
                let count = max(2, versionText.split(separator: ".").count)
                let release = latest.release.prefix(count).map(String.init).joined(separator: ".")
                if let shortened = try? Version(release), version < shortened {
                    clauses.append(op + release)
                    raised = true
                } else {
                    clauses.append(clause)
                }
            case "<", "<=", "!=":
                // An upper bound or exclusion that the new version would break goes.
                if let set = try? SpecifierSet(op + versionText), !set.contains(latest, prereleases: true) { raised = true; continue }
                clauses.append(clause)
            default:
                clauses.append(clause)
            }
        }
        guard raised else { return nil }
        let separator = written.contains(", ") ? ", " : ","
        return TextEdit(range: LSPRange(range), newText: clauses.joined(separator: separator))
    }

    /// The edit pinning the dependency to `version` (`==version`, or the bare version poetry reads
    /// as a pin), replacing its constraint or inserted after the name and extras.
    static func pin(_ occurrence: DependencyOccurrence, to version: Version, in document: OpenDocument) -> TextEdit? {
        if case .poetry = occurrence.section {
            guard let range = occurrence.constraintRange else { return nil }
            return TextEdit(range: LSPRange(range), newText: version.description)
        }
        if let range = occurrence.constraintRange, range.start.byteOffset < range.end.byteOffset {
            return TextEdit(range: LSPRange(range), newText: "==\(version)")
        }
        // No constraint: after `name` or `name[extras]`.
        let bytes = Array(document.text.utf8)
        var end = occurrence.nameRange.end.byteOffset
        var probe = end
        while probe < bytes.count, bytes[probe] == 0x20 { probe += 1 }
        if probe < bytes.count, bytes[probe] == UInt8(ascii: "[") {
            while probe < bytes.count, bytes[probe] != UInt8(ascii: "]"), bytes[probe] != 0x0A { probe += 1 }
            if probe < bytes.count, bytes[probe] == UInt8(ascii: "]") { end = probe + 1 }
        }
        let position = LSPPosition(SourceLocator(bytes: bytes).position(at: end))
        return TextEdit(range: LSPRange(start: position, end: position), newText: "==\(version)")
    }
}

extension LSPPosition {
    init(_ position: SourcePosition) {
        self.init(line: position.line, character: position.utf16Column)
    }
}
