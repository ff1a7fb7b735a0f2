// Character classes that Python's `str` methods and `re` module use, reproduced so that
// parsing here accepts and rejects exactly what the reference implementation (`packaging`) does.

/// Text predicates matching CPython's definitions (`str.isspace`, `re`'s `\s` and `\w`).
enum PythonText {
    /// `str.isspace()` / `re` `\s` on `str`: Unicode White_Space plus the four ASCII
    /// information separators U+001C...U+001F (bidirectional class B/S).
    static func isWhitespace(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.isASCII {
            // The ASCII answer without a Unicode property lookup (the common case, and the hot one).
            let value = scalar.value
            return value == 0x20 || (value >= 0x09 && value <= 0x0D) || (value >= 0x1C && value <= 0x1F)
        }
        return scalar.properties.isWhitespace
    }

    /// `str.strip()` with no argument.
    static func strip(_ text: Substring) -> Substring {
        let scalars = text.unicodeScalars
        guard let first = scalars.firstIndex(where: { !isWhitespace($0) }) else { return text[text.endIndex...] }
        let last = scalars.lastIndex(where: { !isWhitespace($0) })!
        return Substring(scalars[first...last])
    }

    static func strip(_ text: String) -> Substring { strip(Substring(text)) }

    /// `re` `\w` for `str` patterns: alphanumerics (Unicode) and underscore.
    static func isWordCharacter(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.isASCII { return scalar == "_" || isASCIIAlphanumeric(UInt8(scalar.value)) }
        let p = scalar.properties
        return p.isAlphabetic || p.numericType != nil
    }

    static func isASCIIDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }
    static func isASCIIAlphanumeric(_ byte: UInt8) -> Bool {
        isASCIIDigit(byte) || (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x41 && byte <= 0x5A)
    }
    static func lowercased(_ byte: UInt8) -> UInt8 { (byte >= 0x41 && byte <= 0x5A) ? byte + 32 : byte }

    /// `text.split(separator)` on code points, as Python's `str.split` does (a `Character` split
    /// would not cut before a combining mark, and is slower).
    static func split(_ text: Substring, on separator: Unicode.Scalar) -> [String] {
        text.unicodeScalars.split(separator: separator, omittingEmptySubsequences: false).map { String(Substring($0)) }
    }

    static func split(_ text: String, on separator: Unicode.Scalar) -> [String] { split(Substring(text), on: separator) }

    /// The text of a run of scalars, encoded to UTF-8 in one pass. Appending the run to a
    /// `String.UnicodeScalarView` instead would go through the standard library's unspecialized
    /// generic code one scalar at a time, the bulk of parsing a requirement.
    static func string(_ scalars: ArraySlice<Unicode.Scalar>) -> String {
        String(unsafeUninitializedCapacity: scalars.count * 4) { buffer in
            var count = 0
            for scalar in scalars {
                if scalar.isASCII {
                    buffer[count] = UInt8(truncatingIfNeeded: scalar.value)
                    count += 1
                } else {
                    for byte in UTF8.encode(scalar)! {
                        buffer[count] = byte
                        count += 1
                    }
                }
            }
            return count
        }
    }
}

extension Array where Element == String {
    /// The texts joined by `separator`, in a plain loop over this concrete array type, which the
    /// compiler specializes (`joined(separator:)` runs the standard library's generic code).
    public func joinedPlainly(separator: String) -> String {
        var text = ""
        for (index, element) in enumerated() {
            if index > 0 { text += separator }
            text += element
        }
        return text
    }
}

extension StringProtocol {
    /// `lowercased()`, without the case mapping when the text is ASCII with no capital letter, as
    /// wheel tags, hash digests and algorithm names almost always are (thousands per project page).
    /// Inlinable so that callers in other modules get it specialized for their string type, as the
    /// unspecialized byte loop would cost more than the lowercasing it avoids.
    @inlinable
    public func lowercasedASCIIFast() -> String {
        func isPlain(_ byte: UInt8) -> Bool { byte < 0x80 && !(byte >= 0x41 && byte <= 0x5A) }
        let plain = utf8.withContiguousStorageIfAvailable { $0.allSatisfy(isPlain) } ?? utf8.allSatisfy(isPlain)
        return plain ? String(self) : lowercased()
    }
}
