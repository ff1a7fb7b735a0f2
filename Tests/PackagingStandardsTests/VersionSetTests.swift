import Testing
import TestSupport
@testable import PackagingStandards

@Suite("Version sets for the resolver")
struct VersionSetTests {
    func set(_ text: String) throws -> VersionSet { VersionSet(try SpecifierSet(text)) }
    func v(_ text: String) throws -> Version { try Version(text) }

    @Test func postReleaseAndLocalEdgesAreExact() throws {
        let gt = try set(">1.7")
        #expect(try !gt.contains(v("1.7.post2")))
        #expect(try !gt.contains(v("1.7+local")))
        #expect(try gt.contains(v("1.7.1.dev0")))
        let le = try set("<=1.0")
        #expect(try le.contains(v("1.0+anything")))
        #expect(try !le.contains(v("1.0.post0")))
        let lt = try set("<2")
        #expect(try !lt.contains(v("2.0rc1")))
        #expect(try lt.contains(v("1.9.post3")))
    }

    @Test func algebra() throws {
        let a = try set(">=1.0,<2.0"), b = try set(">=1.5")
        let both = a.intersection(b)
        #expect(try both.contains(v("1.7")) && !both.contains(v("1.2")) && !both.contains(v("2.0")))
        let either = a.union(try set(">=3"))
        #expect(try either.contains(v("1.2")) && either.contains(v("3.1")) && !either.contains(v("2.5")))
        #expect(a.complement.complement == a)
        #expect(a.intersection(a.complement).isEmpty)
        #expect(a.union(a.complement).isFull)
        #expect(try set("<1").intersection(set(">=1")).isEmpty)
        #expect(try set("==1.5").isSubset(of: a))
        #expect(try set(">=1.0,<2.0").intersection(set("!=1.5.*")).intervals.count == 2)
        #expect(try set("!=1.0").complement == set("==1.0"))
    }

    @Test func arbitraryEqualityIsApproximatedByTheFullRange() throws {
        #expect(try set("===foo").isFull)
    }

    @Test func preReleasesOfTheUpperBoundStayOutside() throws {
        // <2 stops at 2.dev0, so 2's pre-releases separate it from >=2.
        #expect(try set(">=1,<2").union(set(">=2,<3")).intervals.count == 2)
    }

    @Test func unionOfTouchingIntervalsMerges() throws {
        let merged = try set(">=1,<1.5").union(set(">=1.5.dev0,<3"))
        #expect(merged.intervals.count == 1)
        #expect(merged == (try set(">=1,<3")))
    }

    @Test func setAlgebraAgreesWithSpecifiersOnRandomCases() throws {
        var gen = CaseGenerator(rng: SeededGenerator(state: 42))
        let candidates = (0..<300).compactMap { _ in try? Version(gen.nearVersion()) }
        var checked = 0
        for _ in 0..<300 {
            guard let a = try? SpecifierSet(gen.specifierSet()), let b = try? SpecifierSet(gen.specifierSet()),
                  !a.hasArbitrary, !b.hasArbitrary else { continue }
            let sa = VersionSet(a), sb = VersionSet(b)
            let both = sa.intersection(sb), either = sa.union(sb), notA = sa.complement
            for v in candidates {
                let inA = a.contains(v, prereleases: true), inB = b.contains(v, prereleases: true)
                #expect(sa.contains(v) == inA, "\(a) ∋ \(v)")
                #expect(both.contains(v) == (inA && inB), "\(a) ∩ \(b) ∋ \(v)")
                #expect(either.contains(v) == (inA || inB), "\(a) ∪ \(b) ∋ \(v)")
                #expect(notA.contains(v) == !inA, "¬\(a) ∋ \(v)")
                checked += 1
            }
            if both.isEmpty { #expect(!candidates.contains { a.contains($0, prereleases: true) && b.contains($0, prereleases: true) }) }
        }
        #expect(checked > 10_000)
    }
}
