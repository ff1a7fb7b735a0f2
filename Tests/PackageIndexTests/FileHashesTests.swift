import Testing
@testable import PackageIndex

struct FileHashesTests {
    private static let digest = "0123456789abcdef00112233445566778899aabbccddeeff0f1e2d3c4b5a6978"

    @Test func aLoneLowercaseSHA256IsKeptAsItsBytesAndSpelledTheSame() throws {
        let hashes = FileHashes(["sha256": Self.digest])
        guard case .sha256(let digest) = hashes else { Issue.record("not compact: \(hashes)"); return }
        #expect(digest.words.0 == 0x0123_4567_89ab_cdef && digest.words.3 == 0x0f1e_2d3c_4b5a_6978)
        #expect(hashes.dictionary == ["sha256": Self.digest])
        #expect(hashes.sha256 == Self.digest)
    }

    @Test(arguments: [
        ["sha256": digest.uppercased()], ["sha256": String(digest.dropLast())], ["sha256": digest + "0"],
        ["sha256": String(digest.dropLast()) + "g"], ["sha256": digest, "md5": "ff"], ["md5": "ff"], [:],
    ])
    func otherHashesAreKeptAsGiven(hashes: [String: String]) {
        let kept = FileHashes(hashes)
        guard case .table = kept else { Issue.record("compacted: \(hashes)"); return }
        #expect(kept.dictionary == hashes)
        #expect(kept.sha256 == hashes["sha256"])
    }

    @Test func equalHashesAreEqualValues() {
        #expect(FileHashes(["sha256": Self.digest]) == FileHashes(["sha256": Self.digest]))
        #expect(FileHashes(["sha256": Self.digest]) != FileHashes(["sha256": Self.digest.uppercased()]))
    }
}
