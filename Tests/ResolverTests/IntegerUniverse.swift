@testable import Resolver

/// A package universe over integer versions for testing the generic PubGrub core.
/// `packages[name][version] = [(dependency, set)]`; versions are offered newest first.
struct IntegerUniverse: DependencyProvider {
    typealias Package = String
    typealias VS = VersionRanges<Int>

    var packages: [String: [Int: [(String, VersionRanges<Int>)]]]
    var unavailable: [String: [Int: String]] = [:]
    let examined = Counter()

    init(_ packages: [String: [Int: [(String, VersionRanges<Int>)]]], unavailable: [String: [Int: String]] = [:]) {
        self.packages = packages
        self.unavailable = unavailable
    }

    func availableVersions(for package: String) throws -> [Int] {
        (packages[package]?.keys.sorted() ?? []).reversed()
    }

    func dependencies(of package: String, version: Int) throws -> Dependencies<String, VersionRanges<Int>> {
        examined.increment()
        if let reason = unavailable[package]?[version] { return .unavailable(reason: reason) }
        let list = packages[package]?[version] ?? []
        return .available(list.map { Dependency(package: $0.0, versions: $0.1) })
    }

    /// Solves with `root` at version 0.
    func solve(root: String = "root") throws -> [String: Int] {
        var solver = PubGrubSolver(provider: self, root: root, rootVersion: 0)
        return try solver.solve()
    }

    func explain(root: String = "root") -> String? {
        do {
            _ = try solve(root: root)
            return nil
        } catch let failure as NoSolution<String, VersionRanges<Int>> {
            return ConflictExplanation.explain(failure.tree, vocabulary: PlainVocabulary(root: root))
        } catch {
            return "unexpected \(error)"
        }
    }
}

final class Counter: @unchecked Sendable {
    private var value = 0
    func increment() { value += 1 }
    var count: Int { value }
}

typealias R = VersionRanges<Int>
