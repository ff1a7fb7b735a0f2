import Foundation

/// A parsed `Content-Range` header field (RFC 9110 §14.4): `bytes first-last/complete` on a 206,
/// or `bytes */complete` on a 416. `complete` is nil when the server sent `*` (length unknown).
public struct ContentRange: Sendable, Equatable, CustomStringConvertible {
    /// The byte positions sent (inclusive); nil for the unsatisfied form `bytes */N`.
    public var range: ClosedRange<Int64>?
    /// The file's complete length, if the server knows it.
    public var completeLength: Int64?

    public init(range: ClosedRange<Int64>?, completeLength: Int64?) {
        self.range = range
        self.completeLength = completeLength
    }

    /// Parses `value`; nil when it is not a valid `bytes` content range.
    public init?(_ value: String) {
        let text = value.trimmingCharacters(in: .whitespaces)
        guard text.lowercased().hasPrefix("bytes ") else { return nil }
        let spec = text.dropFirst("bytes ".count).trimmingCharacters(in: .whitespaces)
        guard let slash = spec.firstIndex(of: "/") else { return nil }
        let rangePart = spec[..<slash]
        let lengthPart = spec[spec.index(after: slash)...]
        if lengthPart == "*" {
            completeLength = nil
        } else {
            guard let length = Int64(lengthPart), length >= 0 else { return nil }
            completeLength = length
        }
        if rangePart == "*" {
            guard completeLength != nil else { return nil }
            range = nil
            return
        }
        let bounds = rangePart.split(separator: "-", omittingEmptySubsequences: false)
        guard bounds.count == 2, let first = Int64(bounds[0]), let last = Int64(bounds[1]), first >= 0, last >= first
        else { return nil }
        if let length = completeLength, last >= length { return nil }
        range = first...last
    }

    public var description: String {
        let length = completeLength.map(String.init) ?? "*"
        guard let range else { return "bytes */\(length)" }
        return "bytes \(range.lowerBound)-\(range.upperBound)/\(length)"
    }
}
