import Testing
@testable import PackagingStandards

// Expected values below were produced by `packaging` 26.3 (see scripts/oracle/).

@Suite("PEP 440 versions")
struct VersionTests {
    static let normalizations: [(String, String)] = [
        ("1.0", "1.0"), ("1.0.0", "1.0.0"), ("v1.0", "1.0"), ("V1.0", "1.0"), (" 1.0\n", "1.0"),
        ("1.0a1", "1.0a1"), ("1.0A1", "1.0a1"), ("1.0alpha1", "1.0a1"), ("1.0.a1", "1.0a1"), ("1.0-a1", "1.0a1"),
        ("1.0_a.1", "1.0a1"), ("1.0a", "1.0a0"), ("1.0b2", "1.0b2"), ("1.0beta2", "1.0b2"), ("1.0c3", "1.0rc3"),
        ("1.0rc3", "1.0rc3"), ("1.0pre3", "1.0rc3"), ("1.0preview3", "1.0rc3"), ("1.0-pre-3", "1.0rc3"),
        ("1.0.post1", "1.0.post1"), ("1.0post1", "1.0.post1"), ("1.0-post1", "1.0.post1"), ("1.0-1", "1.0.post1"),
        ("1.0.rev1", "1.0.post1"), ("1.0r1", "1.0.post1"), ("1.0-r", "1.0.post0"), ("1.0.post", "1.0.post0"),
        ("1.0.dev1", "1.0.dev1"), ("1.0dev1", "1.0.dev1"), ("1.0-dev", "1.0.dev0"), ("1.0_dev_2", "1.0.dev2"),
        ("1.0a1.post2.dev3", "1.0a1.post2.dev3"), ("1!1.0", "1!1.0"), ("01!01.02.003", "1!1.2.3"),
        ("1.0+Local.Version", "1.0+local.version"), ("1.0+local-1_2", "1.0+local.1.2"), ("1.0+01", "1.0+1"),
        ("1.0+abc.01", "1.0+abc.1"), ("2014.04", "2014.4"), ("1.0.post.", "1.0.post0"), ("1.0a.", "1.0a0"),
        ("0", "0"), ("1.0a1-1", "1.0a1.post1"),
    ]

    @Test("normalizes every PEP 440 spelling", arguments: normalizations)
    func normalizes(input: String, expected: String) throws {
        #expect(try Version(input).description == expected)
    }

    static let invalid = [
        "", "1.", ".1", "1..0", "1.0+", "1.0+abc.", "1.0-", "1.0_1", "a1.0", "1.0 0", "1!", "!1", "1.0+é",
        "1.0.a.b", "1.0dev1a1", "1.0post1a1", "1.*", "1.0+ab_", "v", "1.0a1b1",
    ]

    @Test("rejects invalid versions with the offending text", arguments: invalid)
    func rejects(input: String) {
        #expect(throws: VersionError.invalid(input)) { try Version(input) }
    }

    @Test func errorMessageNamesTheText() {
        #expect(VersionError.invalid("1..0").description.contains("'1..0'"))
    }

    @Test func hugeNumbersAreReportedNotWrapped() {
        #expect(throws: VersionError.numberTooLarge("1.99999999999999999999")) { try Version("1.99999999999999999999") }
    }

    static let ascending = [
        "1.0.dev456", "1.0a1", "1.0a2.dev456", "1.0a12.dev456", "1.0a12", "1.0b1.dev456", "1.0b2",
        "1.0b2.post345.dev456", "1.0b2.post345", "1.0c1.dev456", "1.0c1", "1.0rc2", "1.0", "1.0+abc", "1.0+abc.5",
        "1.0+5", "1.0.post456.dev34", "1.0.post456", "1.1.dev1", "1.2+123abc", "1.2+123abc456", "1.2+abc",
        "1.2+abc123", "1.2+1234.abc", "1.2+123456", "1.2.r32+123456", "1.2.rev33+123456", "1!0.1",
    ]

    @Test func ordersLikePEP440() throws {
        let versions = try Self.ascending.map { try Version($0) }
        for i in versions.indices.dropLast() {
            #expect(versions[i] < versions[i + 1], "\(versions[i]) < \(versions[i + 1])")
        }
        #expect(versions.shuffled().sorted() == versions)
    }

    @Test func trailingZerosAreEqualAndHashEqual() throws {
        let a = try Version("1.0"), b = try Version("1.0.0.0"), c = try Version("1")
        #expect(a == b && b == c)
        #expect(Set([a, b, c]).count == 1)
        #expect(a.description != b.description)
    }

    @Test func properties() throws {
        let v = try Version("1!2.3.4rc5.post6.dev7+ubuntu.8")
        #expect(v.epoch == 1)
        #expect(v.release == [2, 3, 4])
        #expect(v.pre?.kind == .releaseCandidate && v.pre?.number == 5)
        #expect(v.post == 6 && v.dev == 7)
        #expect(v.local == "ubuntu.8")
        #expect(v.public == "1!2.3.4rc5.post6.dev7")
        #expect(v.baseVersion == "1!2.3.4")
        #expect(v.isPrerelease && v.isPostRelease && v.isDevRelease)
        #expect(v.major == 2 && v.minor == 3 && v.micro == 4)
        #expect(try !Version("1.0.post1").isPrerelease)
        #expect(try Version("1.0.dev1").isPrerelease)
        #expect(try Version("1").minor == 0)
        #expect(v.publicVersion.description == "1!2.3.4rc5.post6.dev7")
    }

    @Test func codableAsNormalizedString() throws {
        let v = try Version("1.0-1")
        var encoded = ""
        // Minimal encoder round trip through the single-value container.
        struct Box: Codable { let v: Version }
        let data = try JSONEncoderShim.encode(Box(v: v))
        encoded = String(decoding: data, as: UTF8.self)
        #expect(encoded == #"{"v":"1.0.post1"}"#)
        #expect(try JSONEncoderShim.decode(Box.self, from: data).v == v)
    }
}
