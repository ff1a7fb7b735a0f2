/// Converts poetry's version constraints ("Dependency specification" in poetry's documentation)
/// to PEP 440 specifier sets: caret `^1.2.3` → `>=1.2.3,<2.0.0`, tilde `~1.2` → `>=1.2,<1.3`,
/// bare `1.2.3` → `==1.2.3`, `*` → any, and PEP 440 clauses (`>=1.2, <2`) kept. Poetry's `||`
/// (a union) has no PEP 440 equivalent and is refused.
public enum PoetryConstraint {
    /// Why a poetry constraint has no PEP 440 equivalent.
    public enum ConversionError: Error, Sendable, Equatable, CustomStringConvertible {
        case union(String)
        case invalidVersion(String)

        public var description: String {
            switch self {
            case .union(let text):
                "poetry constraint '\(text)' uses '||', which has no single PEP 440 equivalent; describe one alternative"
            case .invalidVersion(let text):
                "'\(text)' is not a version poetry understands (expected digits like 1.2.3)"
            }
        }
    }

    /// The PEP 440 specifier text for a poetry constraint (empty for "any version").
    public static func pep440(_ constraint: String) throws(ConversionError) -> String {
        let trimmed = constraint.trimmingSpaces
        if trimmed.contains("||") || trimmed.contains("|") { throw .union(trimmed) }
        var clauses: [String] = []
        for part in splitClauses(trimmed) {
            clauses += try convert(part)
        }
        return clauses.joined(separator: ",")
    }

    /// Poetry separates AND-ed clauses with commas or spaces (`>=1.2 <2.0`).
    private static func splitClauses(_ text: String) -> [String] {
        var clauses: [String] = []
        for piece in text.split(separator: ",") {
            var pending = ""
            for token in piece.split(separator: " ", omittingEmptySubsequences: true) {
                let token = String(token)
                if token.allSatisfy({ "<>=!~^".contains($0) }) {
                    pending += token
                } else {
                    clauses.append(pending + token)
                    pending = ""
                }
            }
            if !pending.isEmpty { clauses.append(pending) }
        }
        return clauses
    }

    private static func convert(_ clause: String) throws(ConversionError) -> [String] {
        if clause == "*" || clause.isEmpty { return [] }
        if clause.hasPrefix("^") {
            let release = try components(String(clause.dropFirst()))
            let firstNonZero = release.firstIndex(where: { $0 != 0 }) ?? max(0, release.count - 1)
            var upper = Array(release.prefix(firstNonZero + 1))
            upper[firstNonZero] += 1
            return [">=\(release.map(String.init).joined(separator: "."))", "<\(padded(upper, to: release.count))"]
        }
        if clause.hasPrefix("~") && !clause.hasPrefix("~=") {
            let release = try components(String(clause.dropFirst()))
            let keep = release.count == 1 ? 1 : 2
            var upper = Array(release.prefix(keep))
            upper[keep - 1] += 1
            return [">=\(release.map(String.init).joined(separator: "."))", "<\(padded(upper, to: release.count))"]
        }
        if let first = clause.first, "<>=!~".contains(first) {
            return [clause]
        }
        // A bare version (possibly with a wildcard) pins it.
        return ["==\(clause)"]
    }

    private static func padded(_ release: [Int], to count: Int) -> String {
        var release = release
        while release.count < count { release.append(0) }
        return release.map(String.init).joined(separator: ".")
    }

    private static func components(_ text: String) throws(ConversionError) -> [Int] {
        var numbers: [Int] = []
        for part in text.split(separator: ".", omittingEmptySubsequences: false) {
            guard let number = Int(part) else { throw .invalidVersion(text) }
            numbers.append(number)
        }
        guard !numbers.isEmpty else { throw .invalidVersion(text) }
        return numbers
    }

    /// A PEP 508 marker for poetry's `python = "^3.8"` restriction: `python_version >= "3.8" and python_version < "4.0"`.
    public static func pythonMarker(_ constraint: String) throws(ConversionError) -> String? {
        let specifiers = try pep440(constraint)
        guard !specifiers.isEmpty else { return nil }
        return specifiers.split(separator: ",").map { clause -> String in
            let op = clause.prefix { "<>=!~".contains($0) }
            let version = clause.dropFirst(op.count)
            return "python_version \(op) \"\(version)\""
        }.joined(separator: " and ")
    }
}

extension String {
    var trimmingSpaces: String {
        var text = Substring(self)
        while let first = text.first, first == " " || first == "\t" { text = text.dropFirst() }
        while let last = text.last, last == " " || last == "\t" { text = text.dropLast() }
        return String(text)
    }
}
