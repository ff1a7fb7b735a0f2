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

    /// The header/body split as it was written before it worked on bytes: on `Character`s.
    static func referenceParse(_ text: String) -> (fields: [CoreMetadata.Field], body: String?) {
        var fields: [CoreMetadata.Field] = []
        var body: String?
        var current: (name: String, lines: [Substring])?
        func flush() {
            guard let c = current else { return }
            fields.append(.init(name: c.name, value: c.lines.joined(separator: "\n")))
            current = nil
        }
        let utf8 = text.utf8
        var lineStart = utf8.startIndex
        while lineStart < utf8.endIndex {
            let newline = utf8[lineStart...].firstIndex(of: UInt8(ascii: "\n"))
            let lineEnd = newline ?? utf8.endIndex
            var line = Substring(text.unicodeScalars[lineStart..<lineEnd])
            if line.unicodeScalars.last == "\r" { line = Substring(line.unicodeScalars.dropLast()) }
            let next = newline.map { utf8.index(after: $0) } ?? utf8.endIndex
            if line.isEmpty {
                flush()
                body = String(text.unicodeScalars[next...])
                break
            }
            if let first = line.first, first == " " || first == "\t", current != nil {
                current!.lines.append(line)
            } else if let colon = line.firstIndex(of: ":"),
                      !line[..<colon].isEmpty && line[..<colon].utf8.allSatisfy({ $0 > 32 && $0 < 127 && $0 != UInt8(ascii: ":") }) {
                flush()
                let value = line[line.index(after: colon)...].drop { $0 == " " || $0 == "\t" }
                current = (String(line[..<colon]), [value])
            } else {
                flush()
                body = String(text.unicodeScalars[lineStart...])
                break
            }
            lineStart = next
        }
        flush()
        return (fields, body)
    }

    /// Random documents built from the pieces where bytes and `Character`s disagree: a space, tab
    /// or `:` followed by a combining mark, a prepended mark before `:`, CR LF pairs.
    @Test func byteLevelParsingMatchesCharacterLevelParsing() {
        let pieces = [
            "Name", "Requires-Dist", ":", ": ", " ", "\t", "\n", "\r\n", "\r", "x", "é", "e\u{301}", "\u{301}", "\u{200D}",
            "\u{0600}", "\u{093F}", "😀", "🇫🇷", "\u{FEFF}", "=", "a b", "\u{85}", "\u{2028}",
        ]
        var generator = SystemRandomNumberGenerator()
        var documents = [
            Self.sample, "", "\n", " x\nName: y", "Name:\u{301} x\n", "Name: \u{301}x\nKeywords:\t\u{301}y\n",
            "Name: x\n \u{301}cont\n\tcont2\nA:\u{200D}\n", "\u{0600}Name: x\n", "Na\u{301}me: x\n", "Name:x\n\u{301}\n",
            "Name: x\r\n\r\nbody\r\n", "Name:    \n", "Name:\t \té\n", "Name: x\n \n",
        ]
        for _ in 0..<3000 {
            let count = Int.random(in: 0..<24, using: &generator)
            documents.append((0..<count).map { _ in pieces.randomElement(using: &generator)! }.joined())
        }
        for document in documents {
            let parsed = CoreMetadata(text: document)
            let reference = Self.referenceParse(document)
            #expect(parsed.fields.map(\.name).elementsEqual(reference.fields.map(\.name), by: { Array($0.utf8) == Array($1.utf8) }), "\(Array(document.unicodeScalars))")
            #expect(parsed.fields.map(\.value).elementsEqual(reference.fields.map(\.value), by: { Array($0.utf8) == Array($1.utf8) }), "\(Array(document.unicodeScalars))")
            #expect(parsed.body.map { Array($0.utf8) } == reference.body.map { Array($0.utf8) }, "\(Array(document.unicodeScalars))")
        }
    }

    /// Bytes are decoded up to the headers' blank line at once and the body when asked for: the
    /// result must be that of decoding them whole (byte order mark dropped from the fields and
    /// kept in `raw`, invalid UTF-8 replaced), whatever the bytes around the cut.
    /// `raw` is the file byte for byte, its byte order mark included; the fields never see it,
    /// and the JSON form decodes back to the same metadata (issue 21.11).
    @Test func byteOrderMarkIsKeptInRawOnly() throws {
        let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("Metadata-Version: 2.1\nName: bom\nVersion: 1.0\n\nbody".utf8)
        let metadata = CoreMetadata(bytes: bytes)
        #expect(Array(metadata.raw.utf8) == bytes)
        #expect(metadata.startsWithByteOrderMark)
        #expect(metadata.metadataVersion == "2.1" && metadata.name == "bom")
        let decoded = try JSONDecoder().decode(CoreMetadata.self, from: JSONEncoder().encode(metadata))
        #expect(decoded == metadata)
        #expect(Array(decoded.raw.utf8) == bytes)
    }

    @Test func bytesReadLikeTheirWholeDecoding() {
        let pieces: [[UInt8]] = [
            Array("Name: x".utf8), Array("Requires-Dist: y".utf8), [0x0A], [0x0D, 0x0A], [0x0D], [0x0A, 0x0A], [0x0A, 0x0D, 0x0A],
            Array(" cont".utf8), Array("body".utf8), [0xE9], [0xFF], [0xC3], [0xA9], Array("é".utf8), Array("\u{301}".utf8),
            [0xEF, 0xBB, 0xBF], Array(":".utf8), Array("not a header".utf8),
        ]
        var generator = SystemRandomNumberGenerator()
        var documents: [[UInt8]] = [
            [], [0xEF, 0xBB, 0xBF], [0xEF, 0xBB, 0xBF, 0x0A, 0x0A], [0xEF, 0xBB, 0xBF] + Array("\u{301}Name: x\n\nbody".utf8),
            Array("Name: x\n\nbody é\n".utf8), Array("Name: x\r\n\r\nbody".utf8) + [0xE9], [0xE9] + Array("Name: x\n\nb".utf8),
            Array("Name: x\nnot a header\n\nmore".utf8), Array("\nbody only".utf8), Array("Name: x\n\n".utf8),
        ]
        for _ in 0..<3000 {
            let count = Int.random(in: 0..<16, using: &generator)
            documents.append((0..<count).flatMap { _ in pieces.randomElement(using: &generator)! })
        }
        for bytes in documents {
            var whole = String(decoding: bytes, as: UTF8.self)
            if whole.hasPrefix("\u{FEFF}") { whole.removeFirst() }
            let reference = CoreMetadata(text: whole)
            let read = CoreMetadata(bytes: bytes)
            let mark: [UInt8] = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? [0xEF, 0xBB, 0xBF] : []
            #expect(Array(read.raw.utf8) == mark + Array(whole.utf8), "raw keeps a byte order mark: \(bytes)")
            #expect(read.fields == reference.fields, "\(bytes)")
            #expect(read.body.map { Array($0.utf8) } == reference.body.map { Array($0.utf8) }, "\(bytes)")
            #expect(read.decodingWasLossy == (String(validating: bytes, as: UTF8.self) == nil), "\(bytes)")
            #expect(read == CoreMetadata(bytes: Array(bytes)), "\(bytes)")
        }
    }

    @Test func fieldNamesMatchCaseInsensitively() {
        let m = CoreMetadata(text: "Requires-Dist: a\nREQUIRES-DIST: b\nrequires-dist: c\nRequires-Distx: d\n")
        #expect(m.values("requires-dist") == ["a", "b", "c"])
        #expect(m.values("Requires-Dist") == ["a", "b", "c"])
        #expect(m.value("REQUIRES-DISTX") == "d")
        #expect(m.values("Requires") == [])
        // Unicode lowercasing: the Kelvin sign lowercases to an ASCII "k".
        #expect(CoreMetadata(text: "Keywords: a\n").value("\u{212A}eywords") == "a")
    }
}
