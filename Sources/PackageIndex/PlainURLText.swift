import Foundation

/// The text of a URL that `URLComponents` would rebuild byte for byte, so that hot paths (cache
/// keys, splitting a `#sha256=` fragment off every file link of a project page) can work on the
/// text instead of parsing the URL again into components and back.
///
/// `URLComponents` (RFC 3986 components) normalizes a few spellings when it rebuilds a URL: an
/// empty port or one with leading zeros (`http://h:/`, `http://h:0080/`) and, conservatively, any
/// userinfo. URLs with those, and relative URLs, get no plain text.
enum PlainURLText {
    /// `url.absoluteString` when it has no base URL, no `@` and a port (if any) in canonical
    /// decimal; nil otherwise.
    static func of(_ url: URL) -> String? {
        guard url.baseURL == nil else { return nil }
        let text = url.absoluteString
        let utf8 = text.utf8
        guard !utf8.contains(UInt8(ascii: "@")), let schemeEnd = utf8.firstIndex(of: UInt8(ascii: ":")) else { return nil }
        let rest = utf8[utf8.index(after: schemeEnd)...]
        guard rest.starts(with: "//".utf8) else { return text }
        let authority = rest.dropFirst(2).prefix {
            $0 != UInt8(ascii: "/") && $0 != UInt8(ascii: "?") && $0 != UInt8(ascii: "#")
        }
        let afterHost = authority.lastIndex(of: UInt8(ascii: "]")).map { authority[$0...] } ?? authority
        guard let colon = afterHost.lastIndex(of: UInt8(ascii: ":")) else { return text }
        let port = afterHost[afterHost.index(after: colon)...]
        guard let first = port.first, port.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
              first != UInt8(ascii: "0") || port.count == 1
        else { return nil }
        return text
    }
}
