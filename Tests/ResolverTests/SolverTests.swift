import Testing
@testable import Resolver

@Suite struct SolverTests {
    @Test func simpleChain() throws {
        let universe = IntegerUniverse([
            "root": [0: [("a", .atLeast(1))]],
            "a": [1: [("b", .full)], 2: [("b", .atLeast(2))]],
            "b": [1: [], 2: [("c", .singleton(1))], 3: [("c", .singleton(2))]],
            "c": [1: [], 2: []],
        ])
        #expect(try universe.solve() == ["root": 0, "a": 2, "b": 3, "c": 2])
    }

    /// Dart solver.md example "avoiding conflict during decision making".
    @Test func avoidsConflictDuringDecisionMaking() throws {
        let universe = IntegerUniverse([
            "root": [0: [("foo", .between(10, 20)), ("bar", .between(10, 20))]],
            "foo": [10: [], 11: [("bar", .between(20, 30))]],
            "bar": [10: [], 11: [], 20: []],
        ])
        #expect(try universe.solve() == ["root": 0, "foo": 10, "bar": 11])
    }

    /// Dart solver.md example "performing conflict resolution": backtracking on a learned clause.
    @Test func performsConflictResolution() throws {
        let universe = IntegerUniverse([
            "root": [0: [("foo", .atLeast(1))]],
            "foo": [1: [], 2: [("bar", .singleton(1))]],
            "bar": [1: [("foo", .singleton(1))]],
        ])
        #expect(try universe.solve() == ["root": 0, "foo": 1])
    }

    /// Dart solver.md example "conflict resolution with a partial satisfier".
    @Test func partialSatisfier() throws {
        let universe = IntegerUniverse([
            "root": [0: [("foo", .atLeast(1)), ("target", .atLeast(2))]],
            "foo": [10: [], 11: [("left", .atLeast(1)), ("right", .atLeast(1))]],
            "left": [10: [("shared", .atLeast(1))]],
            "right": [10: [("shared", .lessThan(10))]],
            "shared": [10: [], 1: [("target", .singleton(1))]],
            "target": [1: [], 2: []],
        ])
        let solution = try universe.solve()
        #expect(solution["foo"] == 10)
        #expect(solution["target"] == 2)
        #expect(solution["left"] == nil)
    }

    /// Dart solver.md "linear error reporting".
    @Test func linearErrorReporting() {
        let universe = IntegerUniverse([
            "root": [0: [("foo", .singleton(1)), ("baz", .singleton(1))]],
            "foo": [1: [("bar", .singleton(2))]],
            "bar": [2: [("baz", .singleton(3))]],
            "baz": [1: [], 3: []],
        ])
        let text = universe.explain()
        #expect(text == """
            Because foo ==1 depends on bar ==2 and bar ==2 depends on baz ==3, foo ==1 depends on baz ==3.
            So, because you require baz ==1 and you require foo ==1, no solution is possible.
            """)
    }

    @Test func diamondConflict() {
        let universe = IntegerUniverse([
            "root": [0: [("a", .full), ("b", .full)]],
            "a": [1: [("c", .singleton(1))]],
            "b": [1: [("c", .singleton(2))]],
            "c": [1: [], 2: []],
        ])
        let text = universe.explain() ?? ""
        #expect(text.contains("a ==1 depends on c ==1"))
        #expect(text.contains("b ==1 depends on c ==2"))
        #expect(text.hasSuffix("no solution is possible."))
    }

    @Test func diamondResolvedByBacktracking() throws {
        let universe = IntegerUniverse([
            "root": [0: [("a", .full), ("b", .full)]],
            "a": [2: [("c", .singleton(2))], 1: [("c", .singleton(1))]],
            "b": [2: [("c", .singleton(1))], 1: [("c", .singleton(1))]],
            "c": [1: [], 2: []],
        ])
        let solution = try universe.solve()
        #expect(solution["c"] == 1)
        #expect(solution["a"] == 1)
        #expect(solution["b"] == 2)
    }

    @Test func missingPackageIsExplained() {
        let universe = IntegerUniverse(["root": [0: [("ghost", .atLeast(1))]]])
        #expect(universe.explain() == "Because there is no usable version of ghost >=1 and you require ghost >=1, no solution is possible.")
    }

    @Test func unavailableVersionsAreSkipped() throws {
        let universe = IntegerUniverse(
            ["root": [0: [("a", .full)]], "a": [1: [], 2: []]],
            unavailable: ["a": [2: "it requires Python >=3.12"]])
        #expect(try universe.solve()["a"] == 1)
        let only = IntegerUniverse(
            ["root": [0: [("a", .atLeast(2))]], "a": [1: [], 2: []]],
            unavailable: ["a": [2: "it requires Python >=3.12"]])
        let text = only.explain() ?? ""
        #expect(text.contains("a ==2 cannot be used because it requires Python >=3.12"))
    }

    /// Many versions of two packages pinned to each other, with the newest pair excluded by the
    /// root: the solver must find the answer without reading every version's dependencies.
    @Test func pinnedPairsResolveWithoutExploringEveryVersion() throws {
        var boto3: [Int: [(String, R)]] = [:]
        var botocore: [Int: [(String, R)]] = [:]
        for v in 1...3000 {
            boto3[v] = [("botocore", .singleton(v)), ("s3transfer", .atLeast(1))]
            botocore[v] = [("urllib3", .full)]
        }
        let universe = IntegerUniverse([
            "root": [0: [("boto3", .full), ("botocore", .lessThan(1234)), ("urllib3", .full)]],
            "boto3": boto3, "botocore": botocore,
            "s3transfer": [1: [("botocore", .atLeast(10))], 2: [("botocore", .atLeast(2000))]],
            "urllib3": [1: [], 2: []],
        ])
        let solution = try universe.solve()
        #expect(solution["boto3"] == 1233)
        #expect(solution["botocore"] == 1233)
        #expect(solution["s3transfer"] == 1)
        #expect(universe.examined.count < 80)
    }
}
