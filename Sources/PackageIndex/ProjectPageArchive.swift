import Foundation
import LazyZip

/// A parsed ``ProjectPage`` in a compact binary form, stored by ``HTTPCache`` next to the page it
/// was parsed from, so that a later process reads the files a page lists without parsing its
/// HTML or JSON again (a long-lived project's page lists thousands of files).
///
/// An archive names what the page was parsed from (``Source``: the body's length and CRC-32,
/// the page URL, its content type, the project name); it is used only while the cached page is
/// that one, and any damage, truncation or other revision reads as no archive, so the page is
/// parsed again. File names are kept as text and parsed again on reading (``DistributionFile``
/// derives its kind and version from them).
///
/// Layout, integers little-endian, strings as a `UInt32` byte count and UTF-8 bytes, optional
/// strings behind a presence byte:
///
/// ```
/// "lazywheel-parsed <revision>\n"
/// source: body length (UInt64), body CRC-32 (UInt32), project name, page URL, content type?
/// page: name, url, apiVersion?, version count (UInt32) and versions
/// file count (UInt32), then per file:
///   filename, url, hash count (UInt32) and (algorithm, digest) pairs, requiresPython?,
///   yanked (0 no, 1 yes, 2 yes with reason + reason), core metadata (0 absent, 1 present +
///   hash count and pairs), size (0 absent, 1 + Int64), uploadTime?
/// CRC-32 of everything above (UInt32)
/// ```
enum ProjectPageArchive {
    /// What a page was parsed from: the parser's inputs.
    struct Source: Equatable {
        var bodyLength: Int
        var bodyCRC: UInt32
        var projectName: String
        var url: String
        var contentType: String?

        /// `page`'s URL and content type, with the body's length and CRC-32.
        init(_ page: CachedPage, bodyLength: Int, bodyCRC: UInt32, projectName: String) {
            self.init(bodyLength: bodyLength, bodyCRC: bodyCRC, projectName: projectName, url: page.url.absoluteString, contentType: page.contentType)
        }

        init(bodyLength: Int, bodyCRC: UInt32, projectName: String, url: String, contentType: String?) {
            self.bodyLength = bodyLength
            self.bodyCRC = bodyCRC
            self.projectName = projectName
            self.url = url
            self.contentType = contentType
        }
    }

    /// Bump whenever ``SimpleIndexParser`` would read a page differently, or the layout changes:
    /// archives of another revision are ignored.
    static let revision = 1

    private static let signature = Array("lazywheel-parsed \(revision)\n".utf8)

    /// Pages with fewer files are not archived: parsing them costs less than writing and reading
    /// a second cache file.
    static let minimumFiles = 64

    /// The archive of `page`, parsed from `source`; nil when a file's URL does not parse back
    /// from its text (files read from an archive parse their URLs only when asked for them, so
    /// an archive holds only URLs known to parse).
    static func encode(_ page: ProjectPage, source: Source) -> Data? {
        guard page.files.allSatisfy({ URL(string: $0.urlText)?.absoluteString == $0.urlText }) else { return nil }
        var writer = ArchiveWriter()
        writer.bytes.append(contentsOf: signature)
        writer.integer(UInt64(source.bodyLength))
        writer.integer(source.bodyCRC)
        writer.string(source.projectName)
        writer.string(source.url)
        writer.optionalString(source.contentType)
        writer.string(page.name)
        writer.string(page.url.absoluteString)
        writer.optionalString(page.apiVersion)
        writer.integer(UInt32(page.versions.count))
        page.versions.forEach { writer.string($0) }
        writer.integer(UInt32(page.files.count))
        for file in page.files {
            writer.string(file.filename)
            writer.string(file.urlText)
            writer.hashes(file.hashes)
            writer.optionalString(file.requiresPython)
            switch file.yanked {
            case .notYanked: writer.bytes.append(0)
            case .yanked(let reason?): writer.bytes.append(2); writer.string(reason)
            case .yanked(nil): writer.bytes.append(1)
            }
            switch file.coreMetadata {
            case .absent: writer.bytes.append(0)
            case .present(let hashes): writer.bytes.append(1); writer.hashes(hashes)
            }
            if let size = file.size {
                writer.bytes.append(1)
                writer.integer(UInt64(bitPattern: size))
            } else {
                writer.bytes.append(0)
            }
            writer.optionalString(file.uploadTime)
        }
        writer.integer(writer.bytes.withUnsafeBytes { Inflate.crc32($0) })
        return Data(writer.bytes)
    }

    /// The page in `archive`, or nil when it is not an intact archive of this revision parsed
    /// from `source`.
    static func decode(_ archive: Data, source: Source) -> ProjectPage? {
        archive.withUnsafeBytes { bytes -> ProjectPage? in
            guard bytes.count >= signature.count + 4,
                  Inflate.crc32(UnsafeRawBufferPointer(rebasing: bytes[..<(bytes.count - 4)]))
                    == UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: bytes.count - 4, as: UInt32.self))
            else { return nil }
            var reader = ArchiveReader(bytes: UnsafeRawBufferPointer(rebasing: bytes[..<(bytes.count - 4)]))
            guard reader.skip(signature), let bodyLength = reader.integer(UInt64.self), let bodyCRC = reader.integer(UInt32.self),
                  let projectName = reader.string(), let url = reader.string(), let contentType = reader.optionalString(),
                  Source(bodyLength: Int(clamping: bodyLength), bodyCRC: bodyCRC, projectName: projectName, url: url, contentType: contentType)
                    == source,
                  let name = reader.string(), let pageURL = reader.string().flatMap({ URL(string: $0) }),
                  let apiVersion = reader.optionalString(), let versionCount = reader.count()
            else { return nil }
            var versions: [String] = []
            for _ in 0..<versionCount {
                guard let version = reader.string() else { return nil }
                versions.append(version)
            }
            guard let fileCount = reader.count() else { return nil }
            var files: [DistributionFile] = []
            files.reserveCapacity(fileCount)
            for _ in 0..<fileCount {
                guard let filename = reader.string(), let urlText = reader.string(),
                      let hashes = reader.hashes(), let requiresPython = reader.optionalString(),
                      let yanked = reader.yankState(), let coreMetadata = reader.metadataAvailability(),
                      let size = reader.size(), let uploadTime = reader.optionalString()
                else { return nil }
                files.append(DistributionFile(
                    filename: filename, urlText: urlText, hashes: hashes, requiresPython: requiresPython, yanked: yanked,
                    coreMetadata: coreMetadata, size: size, uploadTime: uploadTime, projectName: name))
            }
            guard reader.isAtEnd else { return nil }
            return ProjectPage(name: name, files: files, versions: versions, apiVersion: apiVersion, url: pageURL)
        }
    }
}

/// Appends the fields of a ``ProjectPageArchive``.
private struct ArchiveWriter {
    var bytes: [UInt8] = []

    mutating func integer<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func string(_ text: String) {
        var text = text
        // The contiguous UTF-8 in one copy (appending `text.utf8` went byte by byte).
        text.withUTF8 { utf8 in
            integer(UInt32(utf8.count))
            bytes.append(contentsOf: utf8)
        }
    }

    mutating func optionalString(_ text: String?) {
        guard let text else { return bytes.append(0) }
        bytes.append(1)
        string(text)
    }

    mutating func hashes(_ hashes: [String: String]) {
        integer(UInt32(hashes.count))
        // Sorted for a stable layout; a file usually has one hash, which needs no sorting.
        for (algorithm, digest) in hashes.count < 2 ? Array(hashes) : hashes.sorted(by: { $0.key < $1.key }) {
            string(algorithm)
            string(digest)
        }
    }
}

/// Reads the fields of a ``ProjectPageArchive``; every read is nil past the end or on bad data.
private struct ArchiveReader {
    let bytes: UnsafeRawBufferPointer
    private var position = 0

    init(bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    var isAtEnd: Bool { position == bytes.count }

    mutating func skip(_ literal: [UInt8]) -> Bool {
        guard bytes.count - position >= literal.count,
              UnsafeRawBufferPointer(rebasing: bytes[position..<(position + literal.count)]).elementsEqual(literal)
        else { return false }
        position += literal.count
        return true
    }

    mutating func integer<T: FixedWidthInteger>(_: T.Type) -> T? {
        guard bytes.count - position >= MemoryLayout<T>.size else { return nil }
        let value = T(littleEndian: bytes.loadUnaligned(fromByteOffset: position, as: T.self))
        position += MemoryLayout<T>.size
        return value
    }

    /// A count of items that each take at least one byte, so a damaged count cannot ask for more
    /// items than bytes remain.
    mutating func count() -> Int? {
        guard let count = integer(UInt32.self), Int(count) <= bytes.count - position else { return nil }
        return Int(count)
    }

    mutating func byte() -> UInt8? { integer(UInt8.self) }

    mutating func string() -> String? {
        guard let length = count() else { return nil }
        // The archive's CRC-32 already vouched for these bytes, which were written from a String.
        let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[position..<(position + length)]), as: UTF8.self)
        position += length
        return text
    }

    /// `.some(nil)` for an absent string, nil for bad data.
    mutating func optionalString() -> String?? {
        switch byte() {
        case 0: return .some(nil)
        case 1: return string().map { .some($0) }
        default: return nil
        }
    }

    mutating func hashes() -> [String: String]? {
        guard let count = count() else { return nil }
        var hashes: [String: String] = [:]
        for _ in 0..<count {
            guard let algorithm = string(), let digest = string() else { return nil }
            hashes[algorithm] = digest
        }
        return hashes
    }

    mutating func yankState() -> YankState? {
        switch byte() {
        case 0: return .notYanked
        case 1: return .yanked(reason: nil)
        case 2: return string().map { .yanked(reason: $0) }
        default: return nil
        }
    }

    mutating func metadataAvailability() -> MetadataAvailability? {
        switch byte() {
        case 0: return .absent
        case 1: return hashes().map { .present(hashes: $0) }
        default: return nil
        }
    }

    /// `.some(nil)` for an absent size, nil for bad data.
    mutating func size() -> Int64?? {
        switch byte() {
        case 0: return .some(nil)
        case 1: return integer(UInt64.self).map { .some(Int64(bitPattern: $0)) }
        default: return nil
        }
    }
}
