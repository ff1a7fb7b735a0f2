import Foundation
import Testing
import TestSupport
@testable import TOML

/// The TOML parser against Python's `tomllib` (the test venv's Python, `scripts/oracle/toml_oracle.py`):
/// on generated documents, and on the valid and invalid cases of the toml-test suite, which the
/// oracle downloads once (in tomlkit's sdist) into a cache folder outside git. Both sides write a
/// document's value canonically (see the oracle); every disagreement is listed.
@Suite(.enabled(if: TestRepository.python != nil || TestRepository.isCI, "no Python with the test venv's packages"))
struct TOMLDifferentialTests {
    static let oracle = TestRepository.packageRoot.appendingPathComponent("scripts/oracle/toml_oracle.py").path

    @Test func generatedDocumentsAgreeWithTomllib() throws {
        var generator = DocumentGenerator(random: SeededGenerator(state: 2026))
        let documents = (0..<3000).map { _ in Data(generator.document().utf8) }
        try expectAgreement(documents.map { ("generated", $0) })
    }

    @Test func tomlTestSuiteAgreesWithTomllib() throws {
        let python = try #require(TestRepository.python)
        let cache = FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/lazywheel-tests").path
        let located = try TestRepository.run(python, [Self.oracle, "cases", ProcessInfo.processInfo.environment["XDG_CACHE_HOME"].map { $0 + "/lazywheel-tests" } ?? cache])
        try #require(located.status == 0, "could not fetch the toml-test cases: \(located.stderr)")
        let suite = URL(fileURLWithPath: String(decoding: located.stdout, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
        var cases: [(String, Data)] = []
        for kind in ["valid", "invalid"] {
            let folder = suite.appendingPathComponent(kind)
            let files = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: nil)?.compactMap { $0 as? URL } ?? []
            for file in files where file.pathExtension == "toml" {
                cases.append(("\(kind)/\(file.path.dropFirst(folder.path.count + 1))", try Data(contentsOf: file)))
            }
        }
        #expect(cases.count > 500)
        try expectAgreement(cases)
    }

    /// Runs the oracle on every document at once and expects the parser's answer to equal it.
    func expectAgreement(_ documents: [(name: String, bytes: Data)]) throws {
        let python = try #require(TestRepository.python)
        let input = try JSONSerialization.data(withJSONObject: documents.map { $0.bytes.base64EncodedString() })
        let output = try TestRepository.run(python, [Self.oracle, "parse"], input: input)
        try #require(output.status == 0, "oracle failed: \(output.stderr)")
        let expected = try #require(try JSONSerialization.jsonObject(with: output.stdout) as? [String])
        try #require(expected.count == documents.count)
        var disagreements: [String] = []
        for (document, oracle) in zip(documents, expected) {
            let ours = Self.answer(document.bytes)
            if ours != oracle {
                disagreements.append("\(document.name): tomllib \(oracle.prefix(120)), ours \(ours.prefix(120)) for \(String(decoding: document.bytes.prefix(200), as: UTF8.self).debugDescription)")
            }
        }
        #expect(disagreements.isEmpty, "\(disagreements.count) of \(documents.count) disagree:\n\(disagreements.prefix(40).joined(separator: "\n"))")
    }

    /// The parser's answer for `bytes`, written as the oracle writes tomllib's.
    static func answer(_ bytes: Data) -> String {
        guard let text = String(validating: bytes, as: UTF8.self), let document = try? TOMLDocument(parsing: text) else {
            return "error"
        }
        return canonical(.table(document.root))
    }

    static func canonical(_ value: TOMLValue) -> String {
        switch value {
        case .table(let table):
            let items = table.entries.map { (hex($0.key), canonical($0.node.value)) }.sorted { $0.0 < $1.0 }
            return "{" + items.map { "\($0.0)=\($0.1)" }.joined(separator: ",") + "}"
        case .array(let nodes): return "[" + nodes.map { canonical($0.value) }.joined(separator: ",") + "]"
        case .string(let text): return "s:" + hex(text)
        case .boolean(let flag): return "b:\(flag)"
        case .integer(let number): return "i:\(number)"
        case .float(let number):
            return number.isNaN ? "f:nan" : "f:" + String(number.bitPattern, radix: 16).leftPadded(to: 16)
        case .dateTime(let moment):
            let date = moment.date.map { "\($0.year)-\($0.month)-\($0.day)" } ?? ""
            let time = moment.time.map { time -> String in
                let micros = Int(String((time.fraction + "000000").prefix(6))) ?? 0
                return "\(time.hour):\(time.minute):\(time.second).\(micros)"
            } ?? ""
            return "d:\(date)T\(time)@\(moment.offsetMinutes.map(String.init) ?? "local")"
        }
    }

    static func hex(_ text: String) -> String {
        text.utf8.map { String($0, radix: 16).leftPadded(to: 2) }.joined()
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}

/// Random TOML documents, mostly valid, with the constructs and edges parsers get wrong: every
/// string kind and escape, number spellings, dates, dotted keys, inline tables, arrays of tables,
/// redefinitions; a share of them damaged by one inserted or deleted character.
struct DocumentGenerator {
    var random: SeededGenerator

    mutating func document() -> String {
        var lines: [String] = []
        for _ in 0..<random.int(1...6) {
            switch random.int(0...9) {
            case 0...5: lines.append(keyValue())
            case 6...7: lines.append("[\(key())]")
            case 8: lines.append("[[\(key())]]")
            default: lines.append(random.pick(["# comment", "", "  # indented comment ü", "\t"]))
            }
        }
        var text = lines.joined(separator: random.pick(["\n", "\n", "\r\n"]))
        if random.chance(0.15) { text = random.damaged(text, inserting: Array("=[]{}\",.#'\\ \n")) }
        return text
    }

    mutating func keyValue() -> String {
        key() + random.pick([" = ", "=", " =\t"]) + value(depth: 0)
    }

    mutating func key() -> String {
        (0..<random.int(1...3)).map { _ in simpleKey() }.joined(separator: random.pick([".", " . ", "."]))
    }

    mutating func simpleKey() -> String {
        switch random.int(0...5) {
        case 0: return "\"" + basicContent() + "\""
        case 1: return "'" + random.pick(["a b", "", "x.y", "é"]) + "'"
        default: return random.pick(["a", "b", "c", "name", "a-b", "a_b", "1", "123", "true", "inf", "-", "_"])
        }
    }

    mutating func value(depth: Int) -> String {
        switch random.int(0...(depth > 2 ? 6 : 9)) {
        case 0: return "\"" + basicContent() + "\""
        case 1: return "'" + random.pick(["raw \\n", "", "it\"s", "tab\there"]) + "'"
        case 2: return "\"\"\"" + random.pick(["\nline\\\n   more", "a\"\"b", "\\u00e9\\U0001F600", "one\ntwo\r\nthree", "\\\n"]) + "\"\"\""
        case 3: return "'''" + random.pick(["\nraw\\n", "a''b", "x\ny"]) + "'''"
        case 4: return integer()
        case 5: return float()
        case 6: return random.pick(["true", "false", "True", dateTime()])
        case 7: return "[" + (0..<random.int(0...3)).map { _ in value(depth: depth + 1) }.joined(separator: random.pick([", ", ",\n", " ,"])) + (random.chance(0.2) ? ",]" : "]")
        default:
            return "{" + (0..<random.int(0...3)).map { _ in key() + " = " + value(depth: depth + 1) }.joined(separator: ", ") + "}"
        }
    }

    mutating func basicContent() -> String {
        (0..<random.int(0...3)).map { _ in
            random.pick(["a", " ", "\\n", "\\t", "\\\"", "\\\\", "\\u0041", "\\U0001F600", "\\x41", "\\ud800", "é", "\\e", "\\b\\f\\r"])
        }.joined()
    }

    mutating func integer() -> String {
        random.pick([
            "0", "+0", "-0", "42", "-17", "1_000", "1__0", "_1", "01", "0xDEAD_beef", "0o755", "0b1101", "0x", "+0x1",
            "9223372036854775807", "-9223372036854775808", "9223372036854775808", "0o8", "1_",
        ])
    }

    mutating func float() -> String {
        random.pick([
            "3.14", "-0.0", "+1.5", "1e10", "1E+2", "6.626e-34", "1_0.0_1", ".5", "5.", "1e", "inf", "-inf", "+nan", "nan",
            "1.e2", "0.1e-1_0", "1e1_0", "3.0e", "00.1",
        ])
    }

    mutating func dateTime() -> String {
        random.pick([
            "1979-05-27T07:32:00Z", "1979-05-27T00:32:00.999999-07:00", "1979-05-27 07:32:00", "1979-05-27t07:32:00z",
            "1979-05-27", "07:32:00", "00:32:00.5", "1979-05-27T07:32:00.1234567", "2000-02-30", "1979-5-27", "24:00:00",
            // No leap second (23:59:60): TOML allows it, Python's datetime, and so tomllib, cannot hold it.
            "1979-05-27T07:32", "1979-05-27T07:32:00+25:00", "1979-05-27T07:32:00-00:00",
        ])
    }
}
