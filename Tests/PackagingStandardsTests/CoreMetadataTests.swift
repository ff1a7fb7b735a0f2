import Foundation
import Testing
@testable import PackagingStandards

@Suite("Core metadata")
struct CoreMetadataTests {
    struct ManifestEntry: Decodable {
        let file: String
        let metadataPath: String
        let name: String
        let version: String
        let metadataVersion: String
        let requiresPython: String?
        let requiresDist: [String]
        let providesExtra: [String]
        let summary: String?
    }

    /// METADATA bytes of a corpus wheel via `unzip -p` (no Python needed).
    static func extract(_ wheel: URL, member: String) throws -> Data {
        let result = try TestEnvironment.run("/usr/bin/env", ["unzip", "-p", wheel.path, member])
        guard result.status == 0 else { throw CocoaError(.fileReadUnknown) }
        return result.stdout
    }

    static var unzipAvailable: Bool {
        (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":")
            .contains { FileManager.default.isExecutableFile(atPath: "\($0)/unzip") }
    }

    @Test("matches MANIFEST.json for every corpus wheel", .enabled(if: unzipAvailable || TestEnvironment.isCI, "unzip not installed"))
    func corpus() throws {
        let manifestURL = TestEnvironment.corpus.appendingPathComponent("MANIFEST.json")
        let entries = try JSONDecoder().decode([ManifestEntry].self, from: Data(contentsOf: manifestURL))
        #expect(entries.count >= 15)
        for entry in entries {
            let bytes = try Self.extract(TestEnvironment.corpus.appendingPathComponent("wheels/\(entry.file)"), member: entry.metadataPath)
            let metadata = CoreMetadata(bytes: bytes)
            #expect(!metadata.decodingWasLossy)
            #expect(metadata.name == entry.name, "\(entry.file)")
            #expect(metadata.version == entry.version, "\(entry.file)")
            #expect(metadata.metadataVersion == entry.metadataVersion, "\(entry.file)")
            #expect(metadata.requiresPython == entry.requiresPython, "\(entry.file)")
            #expect(metadata.requiresDist == entry.requiresDist, "\(entry.file)")
            #expect(metadata.providesExtra == entry.providesExtra, "\(entry.file)")
            #expect(metadata.summary == entry.summary, "\(entry.file)")
            #expect(metadata.raw == String(decoding: bytes, as: UTF8.self))
            for (text, parsed) in metadata.requirements {
                #expect((try? parsed.get()) != nil, "Requires-Dist \(text) of \(entry.file)")
            }
            #expect(try metadata.requiresPythonSpecifier() != nil || entry.requiresPython == nil)
            // JSON form round-trips through `raw`.
            let json = try JSONEncoderShim.encode(metadata)
            #expect(try JSONEncoderShim.decode(CoreMetadata.self, from: json) == metadata)
        }
    }

    static let sample = """
        Metadata-Version: 2.4\r
        Name: Demo_Pkg\r
        Version: 1.0.post1\r
        Summary: A demo\r
        License-Expression: MIT OR Apache-2.0\r
        License-File: LICENSE\r
        License-File: NOTICE\r
        Dynamic: Requires-Dist\r
        Project-URL: Homepage, https://example.invalid/home\r
        Project-URL: Source Code, https://example.invalid/src\r
        Keywords: a,b , c\r
        Author: Ann\r
         Continued\r
        Classifier: Programming Language :: Python\r
        Requires-Dist: idna>=2.5; extra == "full"\r
        Provides-Extra: full\r
        Description-Content-Type: text/markdown\r
        \r
        # Title\r
        Body line\r

        """

    @Test func crlfContinuationRepeatedFieldsAndBody() throws {
        let m = CoreMetadata(text: Self.sample)
        let expectedVersion = try Version("1.0.post1")
        #expect(m.metadataVersion == "2.4" && m.name == "Demo_Pkg" && m.parsedVersion == expectedVersion)
        #expect(m.licenseExpression == "MIT OR Apache-2.0" && m.licenseFiles == ["LICENSE", "NOTICE"])
        #expect(m.dynamic == ["Requires-Dist"])
        #expect(m.projectURLs == [.init(label: "Homepage", url: "https://example.invalid/home"), .init(label: "Source Code", url: "https://example.invalid/src")])
        #expect(m.keywordList == ["a", "b", "c"])
        #expect(m.author == "Ann\n Continued")
        #expect(m.requiresDist == [#"idna>=2.5; extra == "full""#])
        #expect(m.descriptionContentType == "text/markdown")
        #expect(m.description == "# Title\r\nBody line\r\n")
        #expect(m.fields.count == 16)
        #expect(m.fields.first == .init(name: "Metadata-Version", value: "2.4"))
        #expect(m.value("summary") == "A demo")
    }

    @Test func invalidUTF8IsDecodedLossilyAndFlagged() {
        var bytes = Array("Metadata-Version: 2.1\nName: x\nSummary: caf".utf8)
        bytes += [0xE9, 0x0A]
        let m = CoreMetadata(bytes: bytes)
        #expect(m.decodingWasLossy)
        #expect(m.summary == "caf\u{FFFD}")
        #expect(m.name == "x")
    }

    @Test func headerOnlyDescriptionAndMissingSeparator() {
        let m = CoreMetadata(text: "Metadata-Version: 1.2\nName: old\nDescription: line one\n        line two\nnot a header line\nmore body")
        #expect(m.description == "not a header line\nmore body")
        #expect(m.values("Description") == ["line one\n        line two"])
        let headerOnly = CoreMetadata(text: "Metadata-Version: 1.0\nName: old\nDescription: only here\n")
        #expect(headerOnly.description == "only here")
        #expect(headerOnly.body == nil)
    }

    @Test func hugeBodyIsKept() {
        let body = String(repeating: "0123456789abcdef\n", count: 200_000)
        let m = CoreMetadata(text: "Metadata-Version: 2.1\nName: big\n\n" + body)
        #expect(m.description?.utf8.count == body.utf8.count)
        #expect(m.fields.count == 2)
    }

    @Test func jsonShape() throws {
        let m = CoreMetadata(text: Self.sample)
        let object = try #require(try JSONSerialization.jsonObject(with: JSONEncoderShim.encode(m)) as? [String: Any])
        #expect(object["name"] as? String == "Demo_Pkg")
        #expect(object["requiresDist"] as? [String] == [#"idna>=2.5; extra == "full""#])
        #expect((object["projectUrls"] as? [[String: String]])?.first?["label"] == "Homepage")
        #expect(object["requiresPython"] is NSNull)
        #expect(object["raw"] as? String == Self.sample)
        for key in ["version", "metadataVersion", "summary", "providesExtra", "license", "licenseExpression", "classifiers", "dynamic", "description"] {
            #expect(object[key] != nil, "missing \(key)")
        }
    }
}
