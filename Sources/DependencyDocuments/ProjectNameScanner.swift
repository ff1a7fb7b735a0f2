/// Reads the PEP 508 name at the start of a requirement (`[A-Za-z0-9][A-Za-z0-9._-]*`, ending on
/// an alphanumeric), so an editor knows the project even while the rest of the line is being typed.
enum ProjectNameScanner {
    /// The UTF-8 byte length of leading whitespace, and of the name after it (0 when none).
    static func scan(_ text: Substring.UTF8View) -> (leading: Int, length: Int) {
        var leading = 0
        var iterator = text.makeIterator()
        var bytes: [UInt8] = []
        while let byte = iterator.next() { bytes.append(byte) }
        while leading < bytes.count, bytes[leading] == 0x20 || bytes[leading] == 0x09 { leading += 1 }
        var end = leading
        var lastAlphanumeric = leading
        while end < bytes.count {
            let byte = bytes[end]
            let alphanumeric = (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
            if alphanumeric {
                end += 1
                lastAlphanumeric = end
            } else if end > leading, byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-") {
                end += 1
            } else {
                break
            }
        }
        return (leading, lastAlphanumeric - leading)
    }

    /// Where the version constraint starts and ends in a requirement after the name: skips
    /// `[extras]`, covers everything up to `;`, `@` or the end, trimmed. Byte offsets into `bytes`.
    static func constraintSpan(in bytes: [UInt8], afterName start: Int) -> Range<Int>? {
        var index = start
        while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x09 { index += 1 }
        if index < bytes.count, bytes[index] == UInt8(ascii: "[") {
            while index < bytes.count, bytes[index] != UInt8(ascii: "]") { index += 1 }
            if index < bytes.count { index += 1 }
        }
        var end = index
        while end < bytes.count, bytes[end] != UInt8(ascii: ";"), bytes[end] != UInt8(ascii: "@") { end += 1 }
        var lower = index
        while lower < end, bytes[lower] == 0x20 || bytes[lower] == 0x09 || bytes[lower] == UInt8(ascii: "(") { lower += 1 }
        var upper = end
        while upper > lower, bytes[upper - 1] == 0x20 || bytes[upper - 1] == 0x09 || bytes[upper - 1] == UInt8(ascii: ")") { upper -= 1 }
        return lower < upper ? lower..<upper : nil
    }
}
