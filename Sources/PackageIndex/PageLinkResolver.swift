import Foundation

/// Resolves the file links of one project page against its base URL, resolving each directory
/// once: a page lists hundreds or thousands of files, usually in one folder
/// (`../../files/<name>#sha256=…`), and a Foundation URL resolution per link would be most of the
/// cost of reading such a page.
///
/// Only links whose last segment and fragment are plain (letters, digits and `-._~+!`; `=` and `&`
/// in the fragment) take the shortcut: their resolution is the directory's plus the name, because
/// RFC 3986 removes dot segments segment by segment and the name is neither `.` nor `..`.
/// Every other link, and any directory whose resolved text `URLComponents` would not rebuild
/// unchanged (``PlainURLText``), returns nil and is resolved by the caller in full.
struct PageLinkResolver {
    let base: URL
    /// Resolved directory text per directory part of a link (nil: not plain, resolve in full).
    private var directories: [Substring: String?] = [:]

    init(base: URL) { self.base = base }

    /// The text of the file URL without its fragment, as the resolved directory's text (shared
    /// by the links of one directory) followed by the file name; the fragment; and the file name.
    /// Nil when the link does not qualify (see the type's documentation). The URL text parses
    /// back to itself: a plain directory and a plain name.
    mutating func resolve(_ href: String) -> (directory: String, fragment: Substring, filename: String)? {
        let utf8 = href.utf8
        let hash = utf8.firstIndex(of: UInt8(ascii: "#")) ?? utf8.endIndex
        let path = href[..<hash]
        guard let slash = path.utf8.lastIndex(of: UInt8(ascii: "/")) else { return nil }
        let name = path[path.index(after: slash)...]
        let fragment = hash == utf8.endIndex ? href[hash...] : href[href.index(after: hash)...]
        guard !name.isEmpty, name != ".", name != "..",
              name.utf8.allSatisfy(Self.isPlainNameByte), fragment.utf8.allSatisfy(Self.isPlainFragmentByte),
              let directory = directoryText(path[...slash])
        else { return nil }
        return (directory, fragment, String(name))
    }

    private mutating func directoryText(_ directory: Substring) -> String? {
        if let known = directories[directory] { return known }
        var text: String?
        if let resolved = URL(string: String(directory), relativeTo: base)?.absoluteURL,
           let plain = PlainURLText.of(resolved), plain.hasSuffix("/"),
           !plain.utf8.contains(UInt8(ascii: "?")), !plain.utf8.contains(UInt8(ascii: "#")) {
            text = plain
        }
        directories[directory] = text
        return text
    }

    /// Whether a link on the page at `page` may be followed. A remote page leads only to `http` and
    /// `https` URLs: a `file:` link (or any other scheme) on a page a server sent would let that
    /// server make lazywheel read local files. A local page (a location the user named) may also
    /// lead to local files.
    static func mayFollow(_ link: URL, from page: URL) -> Bool {
        mayFollow(scheme: link.scheme?.lowercased(), from: page)
    }

    /// ``mayFollow(_:from:)`` for a page's file, read from its URL's text (an absolute URL: the
    /// scheme is the text before the first colon), so that checking a page of thousands of files
    /// makes no `URL` of them.
    static func mayFollow(_ file: DistributionFile, from page: URL) -> Bool {
        let text = file.urlHeadText
        guard let colon = text.utf8.firstIndex(of: UInt8(ascii: ":")) else { return mayFollow(file.url, from: page) }
        return mayFollow(scheme: text[..<colon].lowercased(), from: page)
    }

    private static func mayFollow(scheme: String?, from page: URL) -> Bool {
        if scheme == "http" || scheme == "https" { return true }
        return scheme == "file" && page.isFileURL
    }

    private static func isPlainNameByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"), UInt8(ascii: "+"), UInt8(ascii: "!"):
            return true
        default:
            return false
        }
    }

    private static func isPlainFragmentByte(_ byte: UInt8) -> Bool {
        isPlainNameByte(byte) || byte == UInt8(ascii: "=") || byte == UInt8(ascii: "&")
    }
}
