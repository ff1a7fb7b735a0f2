import Foundation

extension StringProtocol where UTF8View: BidirectionalCollection {
    /// `trimmingCharacters(in: .whitespaces)`, or `.whitespacesAndNewlines` when `andNewlines`.
    /// Text that starts and ends with printable ASCII other than a space, which neither set
    /// contains (the usual URL, header or environment value), is returned without consulting the
    /// character set, whose first use alone costs more than the rest of a short parse.
    func trimmingWhitespace(andNewlines: Bool = false) -> String {
        if let first = utf8.first, let last = utf8.last, first > 0x20, first < 0x7F, last > 0x20, last < 0x7F {
            return String(self)
        }
        return trimmingCharacters(in: andNewlines ? .whitespacesAndNewlines : .whitespaces)
    }
}
