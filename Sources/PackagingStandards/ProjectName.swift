// Name normalization: PEP 503 (project names) and PEP 685 (extras).

/// Name normalization shared by project names and extras.
public enum ProjectName {
    /// PEP 503 normalized name: lower-cased, runs of `-`, `_`, `.` collapsed to one `-`
    /// (`Foo.Bar__baz` → `foo-bar-baz`). Same as `packaging.utils.canonicalize_name`.
    public static func canonical(_ name: String) -> String {
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
