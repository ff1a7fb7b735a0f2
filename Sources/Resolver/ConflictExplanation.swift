/// How a domain names its packages and version sets in an explanation.
public protocol ExplanationVocabulary<Package, VS> {
    associatedtype Package: Hashable & Sendable & CustomStringConvertible
    associatedtype VS: SolverVersionSet
    /// Whether `package` stands for the user's own requirements ("you require …").
    func isRoot(_ package: Package) -> Bool
    /// A package restricted to a set, as a user would write it (`flask==3.0.3`, `werkzeug<3`).
    func describe(_ package: Package, _ versions: VS) -> String
    /// Why no candidate of `package` lies in `versions`, beyond "there is none" (excluded
    /// pre-releases, yanked files, an incompatible Requires-Python), when known.
    func noVersionsDetail(_ package: Package, _ versions: VS) -> String?
    /// Which versions of `package` exist, for a requirement no version matches ("the index has 2.2.3").
    func availableVersionsDetail(_ package: Package) -> String?
}

/// Names packages with `description` and sets with theirs (`foo >=1, <2`).
public struct PlainVocabulary<Package: Hashable & Sendable & CustomStringConvertible, VS: SolverVersionSet>: ExplanationVocabulary {
    public let root: Package
    public init(root: Package) { self.root = root }
    public func isRoot(_ package: Package) -> Bool { package == root }
    public func describe(_ package: Package, _ versions: VS) -> String {
        versions == .full ? "\(package)" : "\(package) \(versions)"
    }
    public func noVersionsDetail(_ package: Package, _ versions: VS) -> String? { nil }
    public func availableVersionsDetail(_ package: Package) -> String? { nil }
}

/// Writes a ``DerivationTree`` as numbered English sentences, following the error-reporting
/// algorithm of the PubGrub write-up (Dart `pub` solver.md, "Error Reporting"): derived
/// incompatibilities used more than once get a line number and are referred to by it.
public struct ConflictExplanation<Vocabulary: ExplanationVocabulary> {
    public typealias Package = Vocabulary.Package
    public typealias VS = Vocabulary.VS
    public typealias Tree = DerivationTree<Package, VS>

    private let vocabulary: Vocabulary
    private var lines: [String] = []
    private var lineNumbers: [Int: Int] = [:]
    private var nextLineNumber = 1

    /// The explanation of `tree`, one sentence per line.
    public static func explain(_ tree: Tree, vocabulary: Vocabulary) -> String {
        var writer = ConflictExplanation(vocabulary: vocabulary)
        switch tree {
        case .external(let fact):
            return "Because \(writer.external(fact)), no solution is possible."
        case .derived:
            writer.visit(tree)
        }
        var lines = writer.lines.filter { !$0.isEmpty }
        if lines.count > 1, let last = lines.last, last.hasPrefix("And because ") {
            lines[lines.count - 1] = "So, because " + last.dropFirst("And because ".count)
        }
        return lines.joined(separator: "\n")
    }

    private init(vocabulary: Vocabulary) { self.vocabulary = vocabulary }

    // MARK: traversal (pubgrub's DefaultStringReporter shape)

    private mutating func visit(_ tree: Tree) {
        guard case .derived(let terms, _, let cause1, let cause2) = tree else { return }
        let conclusion = describe(terms)
        switch (cause1, cause2) {
        case (.external(let a), .external(let b)):
            lines.append("Because \(external(a)) and \(external(b)), \(conclusion).")
        case (.derived, .external(let fact)), (.external(let fact), .derived):
            let derived = isDerived(cause1) ? cause1 : cause2
            oneEach(derived, fact, conclusion)
        default:
            switch (lineNumber(cause1), lineNumber(cause2)) {
            case (let n1?, let n2?):
                lines.append("Because \(summary(cause1)) (\(n1)) and \(summary(cause2)) (\(n2)), \(conclusion).")
            case (let n1?, nil):
                visitNumbered(cause2)
                lines.append("And because \(summary(cause1)) (\(n1)), \(conclusion).")
            case (nil, let n2?):
                visitNumbered(cause1)
                lines.append("And because \(summary(cause2)) (\(n2)), \(conclusion).")
            case (nil, nil):
                visitNumbered(cause1)
                if case .derived(_, let firstID, _, _) = cause1, firstID >= 0 {
                    lines.append("")
                    visitNumbered(tree)
                } else {
                    let number = numberLastLine()
                    lines.append("")
                    visitNumbered(cause2)
                    lines.append("And because \(summary(cause1)) (\(number)), \(conclusion).")
                }
            }
        }
    }

    /// Visits a node, then numbers its last line when the node is shared.
    private mutating func visitNumbered(_ tree: Tree) {
        visit(tree)
        if case .derived(_, let id, _, _) = tree, id >= 0, lineNumbers[id] == nil {
            lineNumbers[id] = numberLastLine()
        }
    }

    private mutating func oneEach(_ derived: Tree, _ fact: ExternalFact<Package, VS>, _ conclusion: String) {
        if let number = lineNumber(derived) {
            lines.append("Because \(summary(derived)) (\(number)) and \(external(fact)), \(conclusion).")
            return
        }
        if case .derived(_, _, let a, let b) = derived {
            switch (a, b) {
            case (.derived, .external(let prior)), (.external(let prior), .derived):
                visitNumbered(isDerived(a) ? a : b)
                lines.append("And because \(external(prior)) and \(external(fact)), \(conclusion).")
                return
            default: break
            }
        }
        visitNumbered(derived)
        lines.append("And because \(external(fact)), \(conclusion).")
    }

    private func isDerived(_ tree: Tree) -> Bool {
        if case .derived = tree { return true }
        return false
    }

    private func lineNumber(_ tree: Tree) -> Int? {
        guard case .derived(_, let id, _, _) = tree, id >= 0 else { return nil }
        return lineNumbers[id]
    }

    private mutating func numberLastLine() -> Int {
        let number = nextLineNumber
        nextLineNumber += 1
        if let index = lines.lastIndex(where: { !$0.isEmpty }) { lines[index] += " (\(number))" }
        return number
    }

    private func summary(_ tree: Tree) -> String {
        if case .derived(let terms, _, _, _) = tree { return describe(terms) }
        return ""
    }

    // MARK: sentences

    private func describe(_ terms: [IncompatibilityTerm<Package, VS>]) -> String {
        let relevant = terms.filter { !(vocabulary.isRoot($0.package) && $0.isPositive) || terms.count == 1 }
        switch relevant.count {
        case 0:
            return "no solution is possible"
        case 1:
            let term = relevant[0]
            if vocabulary.isRoot(term.package) { return "no solution is possible" }
            let name = vocabulary.describe(term.package, term.versions)
            return term.isPositive ? "\(name) cannot be used" : "\(name) is required"
        case 2 where relevant[0].isPositive != relevant[1].isPositive:
            let positive = relevant[0].isPositive ? relevant[0] : relevant[1]
            let negative = relevant[0].isPositive ? relevant[1] : relevant[0]
            let wanted = vocabulary.describe(negative.package, negative.versions)
            if vocabulary.isRoot(positive.package) { return "you require \(wanted)" }
            return "\(vocabulary.describe(positive.package, positive.versions)) depends on \(wanted)"
        default:
            let names = relevant.map { term -> String in
                let name = vocabulary.describe(term.package, term.versions)
                return term.isPositive ? name : "not \(name)"
            }
            return (names.count == 2 ? names.joined(separator: " and ") : names.joined(separator: ", ")) + " are incompatible"
        }
    }

    private func external(_ fact: ExternalFact<Package, VS>) -> String {
        switch fact {
        case .root(let package, _):
            return "you are resolving \(package)"
        case .noVersions(let package, let versions):
            let detail = vocabulary.noVersionsDetail(package, versions).map { " (\($0))" } ?? ""
            if versions == .full { return "there are no usable versions of \(package)\(detail)" }
            return "there is no usable version of \(vocabulary.describe(package, versions))\(detail)"
        case .unavailable(let package, let versions, let reason):
            return "\(vocabulary.describe(package, versions)) cannot be used because \(reason)"
        case .dependency(let package, let versions, let dependency, let dependencyVersions, let label):
            var wanted = label ?? vocabulary.describe(dependency, dependencyVersions)
            if dependencyVersions == .empty {
                let available = vocabulary.availableVersionsDetail(dependency).map { "; \($0)" } ?? ""
                wanted += " (no version of \(dependency) matches it\(available))"
            }
            if vocabulary.isRoot(package) { return "you require \(wanted)" }
            return "\(vocabulary.describe(package, versions)) depends on \(wanted)"
        }
    }
}
