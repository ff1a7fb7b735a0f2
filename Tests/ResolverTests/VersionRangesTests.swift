import Testing
@testable import Resolver

@Suite struct VersionRangesTests {
    @Test func complementOfComplementIsIdentity() {
        let sets: [R] = [.empty, .full, .singleton(3), .atLeast(2), .lessThan(5), .between(1, 4),
                         R.between(1, 3).union(.between(5, 8)), R.singleton(2).union(.greaterThan(7))]
        for set in sets {
            #expect(set.complement.complement == set)
            #expect(set.intersection(set.complement).isEmpty)
            #expect(set.union(set.complement) == .full)
        }
    }

    @Test(arguments: 0..<12)
    func membershipMatchesSetAlgebra(_ point: Int) {
        let a = R.between(2, 6).union(.singleton(9))
        let b = R.atLeast(5)
        #expect(a.intersection(b).contains(point) == (a.contains(point) && b.contains(point)))
        #expect(a.union(b).contains(point) == (a.contains(point) || b.contains(point)))
        #expect(a.complement.contains(point) == !a.contains(point))
    }

    @Test func touchingIntervalsMerge() {
        let merged = R.between(1, 3).union(.between(3, 5))
        #expect(merged == .between(1, 5))
        #expect(R.singleton(3).union(.greaterThan(3)) == .atLeast(3))
        #expect(R.singleton(4).singletonValue == 4)
        #expect(R.between(4, 5).singletonValue == nil)
    }

    @Test func descriptions() {
        #expect(R.singleton(3).description == "==3")
        #expect(R.between(1, 3).description == ">=1, <3")
        #expect(R.full.description == "*")
        #expect(R.lessThan(2).union(.greaterThan(4)).description == "<2 | >4")
    }
}
