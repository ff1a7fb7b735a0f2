import Testing
@testable import Resolver

/// Small random universes: the solver must find a solution exactly when brute force does, and
/// every solution it returns must satisfy every dependency of every selected package.
@Suite struct RandomUniverseTests {
    struct Generator {
        var state: UInt64
        mutating func next(_ bound: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(bound))
        }
    }

    static func universe(seed: UInt64) -> IntegerUniverse {
        var random = Generator(state: seed)
        let names = ["a", "b", "c", "d", "e"]
        var packages: [String: [Int: [(String, R)]]] = [:]
        func randomSet() -> R {
            let low = random.next(4), width = 1 + random.next(3)
            return random.next(5) == 0 ? .full : .between(low, low + width)
        }
        for (index, name) in names.enumerated() {
            var versions: [Int: [(String, R)]] = [:]
            for version in 0..<(1 + random.next(4)) {
                var dependencies: [(String, R)] = []
                for other in names[(index + 1)...] where random.next(3) == 0 {
                    dependencies.append((other, randomSet()))
                }
                versions[version] = dependencies
            }
            packages[name] = versions
        }
        var rootDependencies: [(String, R)] = []
        for name in names where random.next(2) == 0 { rootDependencies.append((name, randomSet())) }
        packages["root"] = [0: rootDependencies]
        return IntegerUniverse(packages)
    }

    static func isValid(_ selection: [String: Int], in universe: IntegerUniverse) -> Bool {
        for (package, version) in selection {
            guard let dependencies = universe.packages[package]?[version] else { return false }
            for (dependency, set) in dependencies {
                guard let chosen = selection[dependency], set.contains(chosen) else { return false }
            }
        }
        return true
    }

    static func bruteForce(_ universe: IntegerUniverse) -> Bool {
        let names = universe.packages.keys.filter { $0 != "root" }.sorted()
        func search(_ index: Int, _ selection: [String: Int]) -> Bool {
            if index == names.count { return isValid(selection, in: universe) }
            if search(index + 1, selection) { return true }
            for version in universe.packages[names[index]]!.keys {
                var next = selection
                next[names[index]] = version
                if search(index + 1, next) { return true }
            }
            return false
        }
        return search(0, ["root": 0])
    }

    @Test(arguments: 1...150)
    func agreesWithBruteForce(seed: Int) throws {
        let universe = Self.universe(seed: UInt64(seed))
        let expected = Self.bruteForce(universe)
        do {
            let solution = try universe.solve()
            #expect(expected, "solver found a solution brute force did not: \(solution)")
            #expect(Self.isValid(solution, in: universe), "invalid solution \(solution)")
        } catch let failure as NoSolution<String, R> {
            #expect(!expected, "solver failed but a solution exists")
            let text = ConflictExplanation.explain(failure.tree, vocabulary: PlainVocabulary(root: "root"))
            #expect(text.hasSuffix("no solution is possible."), "\(text)")
        }
    }
}
