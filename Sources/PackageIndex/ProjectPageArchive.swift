import Foundation
import LazyZip
import PackagingStandards

/// A parsed ``ProjectPage`` in a compact binary form, stored by ``HTTPCache`` next to the page it
/// was parsed from, so that a later process reads the files a page lists without parsing its
/// HTML or JSON again (a long-lived project's page lists thousands of files).
///
/// An archive names what the page was parsed from (``Source``: the body's length and CRC-32,
/// the page URL, its content type, the project name); it is used only while the cached page is
/// that one, and any damage, truncation or other revision reads as no archive, so the page is
/// parsed again. What the file names say is stored parsed too (kind, version parts, a wheel's
/// name, build tag and tag set), each distinct version, name, tag set and `requires-python`
/// text once in a table the files point into: reading an archive parses no name, no version
/// and each tag set once, and files of one version share one ``Version``.
///
/// Its layout is ``layout``, and its revision (in the signature it starts with) is derived from
/// that text: a change of layout is a new revision, and older archives read as none.
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

    /// The layout written and read below. Integers little-endian, strings as a `UInt32` byte count
    /// and UTF-8 bytes, optional strings behind a presence byte, table references as `UInt32` (0 for
    /// none, else position + 1). A test pins the bytes of a sample page to this text's revision,
    /// so the code cannot change what it writes (or ``SimpleIndexParser`` what it reads) without
    /// this text, and with it the revision, changing too.
    static let layout = """
        "lazywheel-parsed <revision>\\n"
        source: body length (UInt64), body CRC-32 (UInt32), project name, page URL, content type?
        page: name, url, apiVersion?, version count (UInt32) and versions
        version table: count (UInt32), per version: epoch (Int64), release count (UInt32) and
          components (Int64), pre (0 none, 1 + kind (0 a, 1 b, 2 rc) + Int64), post (0 / 1 + Int64),
          dev (0 / 1 + Int64), local (0 none, 1 + count (UInt32) + segments: 0 + Int64 or 1 + string)
        text tables, each a count (UInt32) and strings: wheel name parts, tag sets, requires-python,
          URL heads
        file count (UInt32), then per file:
          filename, url (0 + text, or 1 + URL head reference: the head, then the filename),
          hashes (0 + count (UInt32) and (algorithm, digest) pairs, or 1 + a SHA-256 as four UInt64,
          first byte highest), requiresPython (reference),
          yanked (0 no, 1 yes, 2 yes with reason + reason), core metadata (0 absent, 1 present +
          hash count and pairs), size (0 absent, 1 + Int64), uploadTime?, version (reference),
          kind (0 other, 1 sdist .tar.gz, 2 sdist .zip, 3 wheel + name and tag set references +
          build tag (0 none, 1 + Int64 number + suffix))
        CRC-32 of everything above (UInt32)
        """

    /// Archives of another revision are ignored: the CRC-32 of ``layout``, in hexadecimal.
    static let revision = String(Inflate.crc32(Data(layout.utf8)), radix: 16)

    private static let signature = Array("lazywheel-parsed \(revision)\n".utf8)

    /// Pages with fewer files are not archived: parsing them costs less than writing and reading
    /// a second cache file.
    static let minimumFiles = 64

    /// The archive of `page`, parsed from `source`; nil when a file's URL does not parse back
    /// from its text (files read from an archive parse their URLs only when asked for them, so
    /// an archive holds only URLs known to parse; texts kept split are known to, see
    /// ``DistributionFile/splitURL``).
    static func encode(_ page: ProjectPage, source: Source) -> Data? {
        guard page.files.allSatisfy({ $0.splitURL != nil || URL(string: $0.urlText)?.absoluteString == $0.urlText }) else {
            return nil
        }
        var versions = TableBuilder<VersionParts>()
        var wheelNames = TableBuilder<String>()
        var tagSets = TableBuilder<String>()
        var requiresPython = TableBuilder<String>()
        var urlHeads = TableBuilder<String>()
        let references = page.files.map { file in
            let wheel = file.kind.wheel
            return (version: versions.reference(file.version.map(VersionParts.init)), requiresPython: requiresPython.reference(file.requiresPython),
                    wheelName: wheelNames.reference(wheel?.name), tagSet: tagSets.reference(wheel?.tagSetText),
                    urlHead: urlHeads.reference(urlHead(of: file)))
        }
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
        writer.strings(page.versions)
        writer.integer(UInt32(versions.items.count))
        versions.items.forEach { writer.version($0) }
        writer.strings(wheelNames.items)
        writer.strings(tagSets.items)
        writer.strings(requiresPython.items)
        writer.strings(urlHeads.items)
        writer.integer(UInt32(page.files.count))
        for (file, reference) in zip(page.files, references) {
            writer.string(file.filename)
            if reference.urlHead == 0 {
                writer.bytes.append(0)
                writer.string(file.urlText)
            } else {
                writer.bytes.append(1)
                writer.integer(reference.urlHead)
            }
            switch file.compactHashes {
            case .table(let hashes): writer.bytes.append(0); writer.hashes(hashes)
            case .sha256(let digest):
                writer.bytes.append(1)
                [digest.words.0, digest.words.1, digest.words.2, digest.words.3].forEach { writer.integer($0) }
            }
            writer.integer(reference.requiresPython)
            switch file.yanked {
            case .notYanked: writer.bytes.append(0)
            case .yanked(let reason?): writer.bytes.append(2); writer.string(reason)
            case .yanked(nil): writer.bytes.append(1)
            }
            switch file.coreMetadata {
            case .absent: writer.bytes.append(0)
            case .present(let hashes): writer.bytes.append(1); writer.hashes(hashes)
            }
            writer.optionalInteger(file.size)
            writer.optionalString(file.uploadTime)
            writer.integer(reference.version)
            switch file.kind {
            case .other: writer.bytes.append(0)
            case .sdist(.tarGz): writer.bytes.append(1)
            case .sdist(.zip): writer.bytes.append(2)
            case .wheel(let wheel):
                writer.bytes.append(3)
                writer.integer(reference.wheelName)
                writer.integer(reference.tagSet)
                if let build = wheel.buildTag {
                    writer.bytes.append(1)
                    writer.integer(Int64(build.number))
                    writer.string(build.suffix)
                } else {
                    writer.bytes.append(0)
                }
            }
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
                  let apiVersion = reader.optionalString(), let versionTexts = reader.strings(),
                  let versionCount = reader.count()
            else { return nil }
            var versions: [Version] = []
            versions.reserveCapacity(versionCount)
            for _ in 0..<versionCount {
                guard let version = reader.version() else { return nil }
                versions.append(version)
            }
            guard let wheelNames = reader.strings(), let tagSetTexts = reader.strings() else { return nil }
            var tagSets: [WheelFilename.TagSetKey] = []
            for text in tagSetTexts {
                guard let key = WheelFilename.tagSetKey(parsing: text) else { return nil }
                tagSets.append(key)
            }
            guard let requiresPythonTexts = reader.strings(), let urlHeads = reader.strings(), let fileCount = reader.count()
            else { return nil }
            var files: [DistributionFile] = []
            files.reserveCapacity(fileCount)
            for _ in 0..<fileCount {
                guard let filename = reader.string(), let url = reader.urlText(heads: urlHeads),
                      let hashes = reader.fileHashes(), let requiresPython = reader.reference(into: requiresPythonTexts),
                      let yanked = reader.yankState(), let coreMetadata = reader.metadataAvailability(),
                      let size = reader.optionalInteger(), let uploadTime = reader.optionalString(),
                      let version = reader.reference(into: versions), let kindCode = reader.byte()
                else { return nil }
                let kind: DistributionKind
                switch kindCode {
                case 0: kind = .other
                case 1: kind = .sdist(.tarGz)
                case 2: kind = .sdist(.zip)
                case 3:
                    guard let version, let wheelName = reader.reference(into: wheelNames) ?? nil,
                          let tagSet = reader.reference(into: tagSets) ?? nil, let build = reader.buildTag()
                    else { return nil }
                    kind = .wheel(WheelFilename(filename: filename, name: wheelName, version: version, buildTag: build, tagSet: tagSet))
                default: return nil
                }
                files.append(DistributionFile(
                    filename: filename, urlHead: url.head, urlEndsWithFilename: url.endsWithFilename, hashes: hashes,
                    requiresPython: requiresPython, yanked: yanked, coreMetadata: coreMetadata, size: size, uploadTime: uploadTime,
                    kind: kind, version: version))
            }
            guard reader.isAtEnd else { return nil }
            return ProjectPage(name: name, files: files, versions: versionTexts, apiVersion: apiVersion, url: pageURL)
        }
    }

    /// The part of `file`'s URL text before its file name, when the text ends with the name (as
    /// nearly all do; the files of a page then share a few such parts).
    private static func urlHead(of file: DistributionFile) -> String? {
        if let head = file.splitURL { return head }
        let (text, name) = (file.urlText.utf8, file.filename.utf8)
        guard text.count > name.count else { return nil }
        let nameStart = text.index(text.endIndex, offsetBy: -name.count)
        guard text[nameStart...].elementsEqual(name) else { return nil }
        return String(decoding: text[..<nameStart], as: UTF8.self)
    }
}

/// A version's parts exactly as parsed (`1.0` and `1.0.0` are equal versions with different
/// parts), the key of an archive's version table.
private struct VersionParts: Hashable {
    var epoch: Int
    var release: [Int]
    var pre: Version.PreReleaseKind?
    var preNumber: Int
    var post: Int?
    var dev: Int?
    var local: [Version.LocalSegment]?

    init(_ version: Version) {
        epoch = version.epoch
        release = version.release
        pre = version.pre?.kind
        preNumber = version.pre?.number ?? 0
        post = version.post
        dev = version.dev
        local = version.localSegments
    }
}

/// The distinct values an archive's files refer to, in order of first use.
private struct TableBuilder<Item: Hashable> {
    private(set) var items: [Item] = []
    private var positions: [Item: UInt32] = [:]

    /// 0 for none, else the item's position + 1 (added when new).
    mutating func reference(_ item: Item?) -> UInt32 {
        guard let item else { return 0 }
        if let position = positions[item] { return position + 1 }
        let position = UInt32(items.count)
        positions[item] = position
        items.append(item)
        return position + 1
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
        // The contiguous UTF-8 in one copy (appending `text.utf8` would go byte by byte).
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

    mutating func optionalInteger(_ value: Int64?) {
        guard let value else { return bytes.append(0) }
        bytes.append(1)
        integer(value)
    }

    mutating func strings(_ texts: [String]) {
        integer(UInt32(texts.count))
        texts.forEach { string($0) }
    }

    mutating func version(_ parts: VersionParts) {
        integer(Int64(parts.epoch))
        integer(UInt32(parts.release.count))
        parts.release.forEach { integer(Int64($0)) }
        if let pre = parts.pre {
            bytes.append(1)
            bytes.append(pre == .alpha ? 0 : pre == .beta ? 1 : 2)
            integer(Int64(parts.preNumber))
        } else {
            bytes.append(0)
        }
        optionalInteger(parts.post.map(Int64.init))
        optionalInteger(parts.dev.map(Int64.init))
        guard let local = parts.local else { return bytes.append(0) }
        bytes.append(1)
        integer(UInt32(local.count))
        for segment in local {
            switch segment {
            case .number(let number): bytes.append(0); integer(Int64(number))
            case .text(let text): bytes.append(1); string(text)
            }
        }
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

    mutating func strings() -> [String]? {
        guard let count = count() else { return nil }
        var texts: [String] = []
        texts.reserveCapacity(count)
        for _ in 0..<count {
            guard let text = string() else { return nil }
            texts.append(text)
        }
        return texts
    }

    /// `.some(nil)` for no reference, the item for a reference into `table`, nil for bad data.
    mutating func reference<Item>(into table: [Item]) -> Item?? {
        guard let reference = integer(UInt32.self), reference <= table.count else { return nil }
        return reference == 0 ? .some(nil) : table[Int(reference) - 1]
    }

    /// A non-negative number stored as `Int64`.
    mutating func number() -> Int? {
        guard let value = integer(Int64.self), value >= 0 else { return nil }
        return Int(value)
    }

    /// `.some(nil)` for an absent number, nil for bad data.
    mutating func optionalNumber() -> Int?? {
        switch byte() {
        case 0: return .some(nil)
        case 1: return number().map { .some($0) }
        default: return nil
        }
    }

    mutating func version() -> Version? {
        guard let epoch = number(), let releaseCount = count(), releaseCount > 0 else { return nil }
        var release: [Int] = []
        release.reserveCapacity(releaseCount)
        for _ in 0..<releaseCount {
            guard let component = number() else { return nil }
            release.append(component)
        }
        let pre: (kind: Version.PreReleaseKind, number: Int)?
        switch byte() {
        case 0: pre = nil
        case 1:
            let kinds: [Version.PreReleaseKind] = [.alpha, .beta, .releaseCandidate]
            guard let code = byte(), code < 3, let number = number() else { return nil }
            pre = (kinds[Int(code)], number)
        default: return nil
        }
        guard let post = optionalNumber(), let dev = optionalNumber() else { return nil }
        var local: [Version.LocalSegment]?
        switch byte() {
        case 0: local = nil
        case 1:
            guard let count = count(), count > 0 else { return nil }
            var segments: [Version.LocalSegment] = []
            for _ in 0..<count {
                switch byte() {
                case 0: guard let number = number() else { return nil }; segments.append(.number(number))
                case 1: guard let text = string(), !text.isEmpty else { return nil }; segments.append(.text(text))
                default: return nil
                }
            }
            local = segments
        default: return nil
        }
        return Version(epoch: epoch, release: release, pre: pre, post: post, dev: dev, local: local)
    }

    /// `.some(nil)` for no build tag, nil for bad data.
    mutating func buildTag() -> (number: Int, suffix: String)?? {
        switch byte() {
        case 0: return .some(nil)
        case 1:
            guard let number = number(), let suffix = string() else { return nil }
            return .some((number, suffix))
        default: return nil
        }
    }

    /// A file's URL text: in full, or a head from `heads` that the file name follows.
    mutating func urlText(heads: [String]) -> (head: String, endsWithFilename: Bool)? {
        switch byte() {
        case 0: return string().map { ($0, false) }
        case 1: return (reference(into: heads) ?? nil).map { ($0, true) }
        default: return nil
        }
    }

    mutating func fileHashes() -> FileHashes? {
        switch byte() {
        case 0: return hashes().map(FileHashes.init)
        case 1:
            guard let a = integer(UInt64.self), let b = integer(UInt64.self), let c = integer(UInt64.self), let d = integer(UInt64.self)
            else { return nil }
            return .sha256(SHA256Digest(words: (a, b, c, d)))
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

    /// `.some(nil)` for an absent integer, nil for bad data.
    mutating func optionalInteger() -> Int64?? {
        switch byte() {
        case 0: return .some(nil)
        case 1: return integer(UInt64.self).map { .some(Int64(bitPattern: $0)) }
        default: return nil
        }
    }
}
