// Name normalization: PEP 503 (project names) and PEP 685 (extras).

/// Name normalization shared by project names and extras.
public enum ProjectName {
    /// PEP 503 normalized name: lower-cased, runs of `-`, `_`, `.` collapsed to one `-`
    /// (`Foo.Bar__baz` → `foo-bar-baz`). Same as `packaging.utils.canonicalize_name`.
    public static func canonical(_ name: String) -> String {
        if name.utf8.allSatisfy({ $0 < 0x80 }) { return canonicalASCII(name) }
        var out = ""
        out.reserveCapacity(name.utf8.count)
        var lastWasDash = false
        for ch in name.lowercased() {
            if ch == "-" || ch == "_" || ch == "." {
                if !lastWasDash { out.append("-") }
                lastWasDash = true
            } else {
                out.append(ch)
                lastWasDash = false
            }
        }
        return out
    }

    /// ``canonical(_:)`` of ASCII text, on bytes (ASCII lower-casing is the Unicode one there).
    private static func canonicalASCII(_ name: String) -> String {
        String(unsafeUninitializedCapacity: name.utf8.count) { out in
            var count = 0
            var lastWasDash = false
            for byte in name.utf8 {
                if byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ".") {
                    if !lastWasDash {
                        out[count] = UInt8(ascii: "-")
                        count += 1
                    }
                    lastWasDash = true
                } else {
                    out[count] = PythonText.lowercased(byte)
                    count += 1
                    lastWasDash = false
                }
            }
            return count
        }
    }

    /// PEP 685: extras compare after the same normalization as project names.
    public static func normalizedExtra(_ extra: String) -> String { canonical(extra) }

    /// Core metadata `Name` validity: ASCII letters/digits, with `.`, `_`, `-` allowed inside.
    public static func isValid(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard let first = bytes.first, let last = bytes.last else { return false }
        guard PythonText.isASCIIAlphanumeric(first), PythonText.isASCIIAlphanumeric(last) else { return false }
        return bytes.allSatisfy { PythonText.isASCIIAlphanumeric($0) || ByteScanner.isSeparator($0) }
    }
}

/// PEP 503 normalized project name (`canonicalName("Foo_Bar")` → `foo-bar`).
public func canonicalName(_ name: String) -> String { ProjectName.canonical(name) }

/// PEP 685 normalized extra name.
public func normalizedExtra(_ extra: String) -> String { ProjectName.normalizedExtra(extra) }
