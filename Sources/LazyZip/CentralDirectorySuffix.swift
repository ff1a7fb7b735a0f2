import Foundation

/// The last entries of a central directory, parsed from the part of it already cached (the tail
/// of the file) without fetching the rest.
///
/// Entry boundaries are only known from the start of a central directory, so each `PK\1\2`
/// signature in the cached bytes is tried as a start, in order: the first from which whole
/// headers follow one another up to exactly the directory's end is taken. A false start (the
/// signature bytes inside a name or an extra field) almost never chains to the exact end; after
/// ``maximumStartsTried`` failed starts the suffix is given up and the caller reads the whole
/// directory, so hostile bytes cannot make the search quadratic.
///
/// The entries' ``ZipEntry/recordEnd`` is an estimate, not the next entry's offset: an entry of
/// the unparsed part may lie in between. It is the local header with the central directory's
/// name and extra field, the data and a data descriptor, plus ``localExtraSlack`` bytes for a
/// longer local extra field, never past the next known local header or the central directory;
/// ``upperBound(of:)`` gives that safe limit for a second try.
struct CentralDirectorySuffix {
    /// Starts tried before giving up.
    static let maximumStartsTried = 64
    /// Bytes allowed for a local extra field longer than the central one (they differ by a few
    /// bytes in practice: an extended timestamp or a ZIP64 field).
    static let localExtraSlack: Int64 = 256

    /// The parsed entries, in directory order.
    let entries: [ZipEntry]
    private let upperBounds: [Int64]

    /// Parses the headers in `bytes`, the cached part of `directory` that ends where it ends.
    /// Nil when no start chains to the end.
    init?(bytes: Data, at offset: Int64, directory: CentralDirectoryLocation) {
        guard offset > directory.range.lowerBound, offset + Int64(bytes.count) == directory.range.upperBound else {
            return nil
        }
        let signature = withUnsafeBytes(of: CentralDirectoryFileHeader.signature.littleEndian) { Data($0) }
        var tried = 0
        var searchFrom = bytes.startIndex
        while tried < Self.maximumStartsTried, let found = bytes.range(of: signature, in: searchFrom ..< bytes.endIndex) {
            tried += 1
            searchFrom = found.lowerBound + 1
            let candidate = found.lowerBound - bytes.startIndex
            guard let headers = Self.chain(from: candidate, in: bytes, at: offset, maximumCount: directory.entryCount - 1),
                  let entries = try? ZipArchive.makeEntries(
                      headers, archiveStart: directory.archiveStart, entryAreaEnd: directory.range.lowerBound)
            else { continue }
            var estimated = entries
            self.upperBounds = entries.map(\.recordEnd)
            for (index, header) in headers.enumerated() {
                let descriptor: Int64 = entries[index].hasDataDescriptor ? 24 : 0
                let expected = entries[index].localHeaderOffset + Int64(LocalFileHeader.fixedLength)
                    + Int64(header.rawName.count) + Int64(header.extraField.count) + header.compressedSize
                    + descriptor + Self.localExtraSlack
                estimated[index].recordEnd = min(entries[index].recordEnd, expected)
            }
            self.entries = estimated
            return
        }
        return nil
    }

    /// The farthest `entries[index]`'s record can reach: the next known local header, or the
    /// central directory.
    func upperBound(of index: Int) -> Int64 { upperBounds[index] }

    /// Headers parsed one after another from `position` to exactly the end of `bytes`, or nil.
    private static func chain(
        from position: Int, in bytes: Data, at offset: Int64, maximumCount: Int64
    ) -> [CentralDirectoryFileHeader]? {
        var headers: [CentralDirectoryFileHeader] = []
        var position = position
        while position < bytes.count {
            guard Int64(headers.count) < maximumCount,
                  let header = try? CentralDirectoryFileHeader(parsing: bytes, at: offset, position: position),
                  header.diskNumberStart == 0
            else { return nil }
            headers.append(header)
            position += header.length
        }
        return position == bytes.count && !headers.isEmpty ? headers : nil
    }
}
