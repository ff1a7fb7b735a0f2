/// Text from a wheel (member names, METADATA) made safe to print on a terminal: control
/// characters, which could move the cursor, retitle the window or hide text (ANSI escape
/// sequences), are printed as visible escapes; so are the bidirectional overrides that reorder
/// what is shown. Tabs, line feeds and the carriage return of a CRLF line ending stay. The JSON
/// outputs (`--json`) carry the text exactly instead.
enum TerminalText {
    static func escapingControlCharacters(_ text: String) -> String {
        let scalars = text.unicodeScalars
        guard scalars.contains(where: needsEscape) else { return text }
        var result = String.UnicodeScalarView()
        var index = scalars.startIndex
        while index < scalars.endIndex {
            let scalar = scalars[index]
            let next = scalars.index(after: index)
            let lineEnding = scalar == "\r" && next < scalars.endIndex && scalars[next] == "\n"
            if needsEscape(scalar) && !lineEnding {
                let hex = String(scalar.value, radix: 16, uppercase: true)
                let escape = scalar.value < 0x100
                    ? "\\x" + String(repeating: "0", count: 2 - hex.count) + hex
                    : "\\u{" + hex + "}"
                result.append(contentsOf: escape.unicodeScalars)
            } else {
                result.append(scalar)
            }
            index = next
        }
        return String(result)
    }

    private static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09, 0x0A: false
        case 0x00...0x1F, 0x7F...0x9F: true
        case 0x202A...0x202E, 0x2066...0x2069: true
        default: false
        }
    }
}
