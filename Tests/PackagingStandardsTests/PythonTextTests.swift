import Testing
@testable import PackagingStandards

@Suite("Python character classes")
struct PythonTextTests {
    // CPython: `chr(c).isspace()` for c < 128 is true exactly for \t \n \v \f \r, \x1c-\x1f and space;
    // `re.match(r"\w", chr(c))` exactly for [A-Za-z0-9_].
    @Test("ASCII fast paths agree with the Unicode property definitions")
    func asciiFastPathsMatchProperties() {
        for value in UInt32(0)..<128 {
            let scalar = Unicode.Scalar(value)!
            let whitespace = (0x1C...0x1F).contains(value) || scalar.properties.isWhitespace
            #expect(PythonText.isWhitespace(scalar) == whitespace, "U+\(String(value, radix: 16))")
            let word = scalar == "_" || scalar.properties.isAlphabetic || scalar.properties.numericType != nil
            #expect(PythonText.isWordCharacter(scalar) == word, "U+\(String(value, radix: 16))")
        }
    }

    @Test("non-ASCII scalars keep the Unicode definitions")
    func nonASCII() {
        #expect(PythonText.isWhitespace("\u{00A0}"))
        #expect(PythonText.isWhitespace("\u{2003}"))
        #expect(!PythonText.isWhitespace("\u{00E9}"))
        #expect(PythonText.isWordCharacter("\u{00E9}"))
        #expect(PythonText.isWordCharacter("\u{0663}"))
        #expect(!PythonText.isWordCharacter("\u{2014}"))
    }
}
