import Foundation
import LazyZip

/// The on-disk form of a ``CachedPage`` in ``HTTPCache``'s `pages/` directory: a few header lines,
/// then the body bytes.
///
/// ```
/// lazywheel-page 4
/// url 39:http://index.example/simple/requests/
/// content-type 24:text/html; charset=utf-8      (optional)
/// etag 6:"abc1"                                  (optional)
/// last-modified 29:Tue, 14 Nov 2023 22:13:20 GMT (optional)
/// max-age 600                                    (optional)
/// no-cache                                       (optional)
/// no-store                                       (optional)
/// stored-at 816991616.6962539
/// body-length 388
/// body-crc 4b9c1f2e
/// header-crc 1d2e3f40
/// <388 body bytes>
/// ```
///
/// Strings are length-prefixed (`<UTF-8 byte count>:<bytes>`), so any value, newlines included,
/// survives the round trip exactly; `stored-at` is the `Date`'s `timeIntervalSinceReferenceDate`
/// in Swift's shortest round-tripping notation. `body-crc` is the CRC-32 (hex) of the body and
/// `header-crc` that of every byte before its line, so a torn or damaged entry is recognised, and
/// the header can be read and trusted without the body (``decodeHead(_:)``: a fresh page whose
/// parsed form is archived needs nothing else). Fields appear in the order above and are read
/// strictly: anything else, including an entry of another format version, reads as no entry
/// (and is refetched).
///
/// Version history: 1 (JSON header, SHA-256 of the body), 2 (JSON header, CRC-32 of the body),
/// 3 (this line-oriented header, one CRC-32 over header and body), 4 (separate CRC-32s of the
/// header and of the body).
enum PageEntryFormat {
    /// The first line, which carries the format version.
    private static let signature = "lazywheel-page 4\n"

    /// An entry's header: the page without its body, and where the body is.
    struct Head {
        /// The page's fields, with an empty body.
        var page: CachedPage
        var bodyOffset: Int
        var bodyLength: Int
        /// The CRC-32 of the body.
        var bodyCRC: UInt32
    }

    /// The entry for `page`.
    static func encode(_ page: CachedPage) -> Data {
        var header: [UInt8] = []
        header.reserveCapacity(256)
        func append(_ text: String) { header.append(contentsOf: text.utf8) }
        func appendField(_ name: String, _ value: String?) {
            guard let value else { return }
            append("\(name) \(value.utf8.count):")
            append(value)
            append("\n")
        }
        append(signature)
        appendField("url", page.url.absoluteString)
        appendField("content-type", page.contentType)
        appendField("etag", page.etag)
        appendField("last-modified", page.lastModified)
        if let maxAge = page.directives.maxAge { append("max-age \(maxAge)\n") }
        if page.directives.noCache { append("no-cache\n") }
        if page.directives.noStore { append("no-store\n") }
        append("stored-at \(page.storedAt.timeIntervalSinceReferenceDate)\n")
        append("body-length \(page.body.count)\n")
        append("body-crc \(String(Inflate.crc32(page.body), radix: 16))\n")
        append("header-crc \(String(header.withUnsafeBytes { Inflate.crc32($0) }, radix: 16))\n")
        var data = Data(capacity: header.count + page.body.count)
        data.append(contentsOf: header)
        data.append(page.body)
        return data
    }

    /// The page stored in `entry`, or nil when it is not a complete, intact entry of this version.
    static func decode(_ entry: Data) -> CachedPage? {
        entry.withUnsafeBytes { bytes -> CachedPage? in
            guard let head = decodeHead(bytes), bytes.count - head.bodyOffset == head.bodyLength else { return nil }
            let body = UnsafeRawBufferPointer(rebasing: bytes[head.bodyOffset...])
            guard Inflate.crc32(body) == head.bodyCRC else { return nil }
            var page = head.page
            page.body = Data(body)
            return page
        }
    }

    /// The header of the entry that starts with `bytes` (the whole entry or a prefix of it), or
    /// nil when the header is not all there, damaged, or of another version. The body is not
    /// checked: its CRC-32 is in the result.
    static func decodeHead(_ bytes: UnsafeRawBufferPointer) -> Head? {
        var reader = EntryReader(bytes: bytes)
        guard reader.skip(signature),
              let urlText = reader.field("url"), let url = URL(string: urlText)
        else { return nil }
        var contentType, etag, lastModified: String?
        guard reader.optionalField("content-type", into: &contentType), reader.optionalField("etag", into: &etag),
              reader.optionalField("last-modified", into: &lastModified)
        else { return nil }
        var directives = CacheDirectives()
        if reader.skip("max-age ") {
            guard let maxAge = reader.lineToken().flatMap({ Int($0) }) else { return nil }
            directives.maxAge = maxAge
        }
        directives.noCache = reader.skip("no-cache\n")
        directives.noStore = reader.skip("no-store\n")
        guard reader.skip("stored-at "), let storedAt = reader.lineToken().flatMap({ Double($0) }),
              reader.skip("body-length "), let length = reader.lineToken().flatMap({ Int($0) }), length >= 0,
              reader.skip("body-crc "), let bodyCRC = reader.lineToken().flatMap({ UInt32($0, radix: 16) })
        else { return nil }
        let headerEnd = reader.position
        guard reader.skip("header-crc "), let headerCRC = reader.lineToken().flatMap({ UInt32($0, radix: 16) }),
              Inflate.crc32(UnsafeRawBufferPointer(rebasing: bytes[..<headerEnd])) == headerCRC
        else { return nil }
        let page = CachedPage(
            url: url, contentType: contentType, etag: etag, lastModified: lastModified,
            directives: directives, storedAt: Date(timeIntervalSinceReferenceDate: storedAt), body: Data())
        return Head(page: page, bodyOffset: reader.position, bodyLength: length, bodyCRC: bodyCRC)
    }
}

/// A cursor over the header lines of a ``PageEntryFormat`` entry.
private struct EntryReader {
    let bytes: UnsafeRawBufferPointer
    private(set) var position = 0

    init(bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    /// Consumes `literal` when the input continues with it.
    mutating func skip(_ literal: String) -> Bool {
        var index = position
        for byte in literal.utf8 {
            guard index < bytes.count, bytes[index] == byte else { return false }
            index += 1
        }
        position = index
        return true
    }

    /// The text up to `terminator` (consumed with it); nil when the input has no `terminator` or
    /// the text is not UTF-8.
    mutating func token(endingWith terminator: UInt8) -> String? {
        guard let end = bytes[position...].firstIndex(of: terminator) else { return nil }
        let text = String(validating: UnsafeRawBufferPointer(rebasing: bytes[position..<end]), as: UTF8.self)
        position = end + 1
        return text
    }

    /// The rest of the line, newline consumed.
    mutating func lineToken() -> String? {
        token(endingWith: UInt8(ascii: "\n"))
    }

    /// The value of the required line `<name> <length>:<bytes>`.
    mutating func field(_ name: String) -> String? {
        guard skip(name + " "), let length = token(endingWith: UInt8(ascii: ":")).flatMap({ Int($0) }),
              length >= 0, length < bytes.count - position
        else { return nil }
        let end = position + length
        guard bytes[end] == UInt8(ascii: "\n"),
              let value = String(validating: UnsafeRawBufferPointer(rebasing: bytes[position..<end]), as: UTF8.self)
        else { return nil }
        position = end + 1
        return value
    }

    /// Reads the optional line `<name> <length>:<bytes>` into `value` (left nil when the line is
    /// absent); false when the line is there but malformed.
    mutating func optionalField(_ name: String, into value: inout String?) -> Bool {
        guard bytes[position...].starts(with: (name + " ").utf8) else { return true }
        value = field(name)
        return value != nil
    }
}
